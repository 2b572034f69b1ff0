// Output paths as every command checks them before its work: one line and exit 2 at once, not an
// error after minutes of work.

import { OutputPathError, prepareOutputDir, prepareOutputFile } from '../files.js';
import { UsageError } from './exit.js';

/** `who` (the command, with the option where it has several) names the path in the message. */
function prepared(prepare: (path: string) => void, path: string, message: (code: string) => string): void {
  try {
    prepare(path);
  } catch (e) {
    if (e instanceof OutputPathError) throw new UsageError(message(e.code));
    throw e;
  }
}

/** The file `path` can be written (its folders are made); otherwise a UsageError: `<who>: cannot write <path>: <code>`. */
export function writableFile(who: string, path: string): void {
  prepared(prepareOutputFile, path, (code) => `${who}: cannot write ${path}: ${code}`);
}

/** Files can be written into the folder `path` (it is made); otherwise a UsageError: `<who>: cannot write into <path>: <code>`. */
export function writableFolder(who: string, path: string): void {
  prepared(prepareOutputDir, path, (code) => `${who}: cannot write into ${path}: ${code}`);
}

// Files: where the project is, making the folders above an output file, and checking that an output
// can be written before the work that produces it starts.

import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory maker makeParents uses; tests pass one that loses a race on purpose. */
export type MakeDirectory = (dir: string) => void;

const mkdirOne: MakeDirectory = (dir) => mkdirSync(dir);

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Creates the missing directories above a file one by one. Node's `mkdirSync(dir, {recursive: true})`
 * spins forever where mkdir fails with ENOENT under an existing parent (as in /proc), so not that.
 * Another process may create the same folders at the same time (two runs writing into one new
 * folder): an EEXIST for a folder that is now a directory is that race lost, and is success.
 */
export function makeParents(file: string, mkdir: MakeDirectory = mkdirOne): void {
  const missing: string[] = [];
  for (let dir = dirname(file); !existsSync(dir); dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      mkdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && isDirectory(dir)) continue;
      throw e;
    }
  }
}

/** An output path that cannot be written, with the errno-style code that says why (EISDIR, ENOTDIR, EACCES, ...). */
export class OutputPathError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(`cannot write ${path}: ${code}`);
  }
}

function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/**
 * Before the work that produces `file`: creates its folders and checks that they are a directory it
 * may write in, and that `file` is not a directory (nor an existing file it may not write). Throws
 * OutputPathError; the file itself is not created.
 */
export function prepareOutputFile(file: string): void {
  if (file === '') throw new OutputPathError(file, 'empty file name');
  if (file.endsWith('/')) throw new OutputPathError(file, 'EISDIR');
  try {
    makeParents(file);
  } catch (e) {
    throw new OutputPathError(file, codeOf(e));
  }
  const dir = dirname(file);
  if (!isDirectory(dir)) throw new OutputPathError(file, 'ENOTDIR');
  if (isDirectory(file)) throw new OutputPathError(file, 'EISDIR');
  // Opening it for appending is the only sure test (permission bits say nothing to root, nor about
  // /proc or a read-only mount); a file made only for the test is removed again, an old one is untouched.
  const existed = existsSync(file);
  try {
    closeSync(openSync(file, 'a'));
    if (!existed) unlinkSync(file);
  } catch (e) {
    throw new OutputPathError(file, codeOf(e));
  }
}

/** Before the work that fills folder `dir`: creates it (and its parents) and checks that it is a directory it may write in. */
export function prepareOutputDir(dir: string): void {
  if (dir === '') throw new OutputPathError(dir, 'empty folder name');
  try {
    makeParents(join(dir, 'x'));
  } catch (e) {
    throw new OutputPathError(dir, codeOf(e));
  }
  if (!isDirectory(dir)) throw new OutputPathError(dir, 'ENOTDIR');
  // As for a file: making a file in it and removing it again is the only sure test.
  const probe = join(dir, `.amxstate-write-test-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    throw new OutputPathError(dir, codeOf(e));
  }
}

/** The folder holding package.json, found from this module whether it runs from src/ (tests, tsx) or dist/src/ (the CLI). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above this module');
    dir = up;
  }
  return dir;
}

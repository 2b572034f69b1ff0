// Reading a scenario: a file, or standard input with `-`.

import { readFileSync } from 'node:fs';
import { UsageError } from './exit.js';

export function readScenarioText(command: string, file: string | undefined): string {
  if (file === undefined) {
    if (process.stdin.isTTY) throw new UsageError(`${command}: missing argument FILE (or - to read standard input)`);
    return readFileSync(0, 'utf8');
  }
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(`${command}: cannot read ${file === '-' ? 'standard input' : file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

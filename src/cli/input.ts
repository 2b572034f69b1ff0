// Reading a scenario: a file, or standard input with `-` (or with no FILE, when standard input is not
// a terminal). The reading itself (size limit, chunks, strict UTF-8) is src/scenario/read.ts, shared
// with conform and --platform FILE; this adds the command's name and the missing-argument rule.

import { isatty } from 'node:tty';
import { InputError, readText, sourceName } from '../scenario/read.js';
import { UsageError } from './exit.js';

function missing(command: string, why: string): UsageError {
  return new UsageError(`${command}: missing argument FILE (or - to read standard input): ${why}`);
}

export function readScenarioText(command: string, file: string | undefined): string {
  // isatty(0), not process.stdin.isTTY: that would open a stream on descriptor 0 (and make a pipe non-blocking).
  if (file === undefined && isatty(0)) throw missing(command, 'standard input is a terminal');
  let text: string;
  try {
    text = readText(file === undefined || file === '-' ? null : file);
  } catch (e) {
    if (e instanceof InputError) throw new UsageError(`${command}: ${e.message}`);
    throw e;
  }
  if (text.trim() === '') {
    // Nothing given and nothing piped in: a forgotten argument, not a JSON error.
    if (file === undefined) throw missing(command, 'standard input is empty');
    throw new UsageError(`${command}: ${sourceName(file === '-' ? null : file)} is empty (expected a scenario, docs/scenarios.md)`);
  }
  return text;
}

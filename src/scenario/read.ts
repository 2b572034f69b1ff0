// Reading input text: a file or standard input, at most MAX_INPUT_BYTES, read in chunks (so /dev/zero
// stops at the limit), strict UTF-8 (never silently replaced), and JSON whose syntax errors are one
// line with a line and a column. Every command that reads a scenario, a measurement or the manifest
// reads through here; an InputError's message names what was read, and the caller adds the command.

import { closeSync, openSync, readSync } from 'node:fs';
import { describeValue, printable } from './describe.js';
import { MAX_INPUT_BYTES, MAX_INPUT_TEXT } from './limits.js';

/** Input that cannot be read, is too large, is not UTF-8 or not JSON: bad input, exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** What a message calls a source: a path as given (quoted where it needs it), or standard input. */
export function sourceName(path: string | null): string {
  if (path === null) return 'standard input';
  return /^[\w./+@:,=-]+$/.test(path) ? path : describeValue(path);
}

const CHUNK_BYTES = 64 * 1024;

function errnoOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return 'EISDIR (a directory)';
  return code ?? printable((e as Error).message);
}

/** Sleeps a little, synchronously: a non-blocking standard input that has nothing yet (EAGAIN). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The bytes of a file, or of standard input for `null`: at most MAX_INPUT_BYTES, read in chunks.
 * Throws InputError for a path that cannot be opened, a directory (EISDIR), or too much input.
 */
export function readBytes(path: string | null): Buffer {
  const name = sourceName(path);
  let fd: number;
  try {
    fd = path === null ? 0 : openSync(path, 'r');
  } catch (e) {
    throw new InputError(`cannot read ${name}: ${errnoOf(e)}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      let n: number;
      try {
        n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          pause(10);
          continue;
        }
        if (code === 'EOF') break;
        throw new InputError(`cannot read ${name}: ${errnoOf(e)}`);
      }
      if (n === 0) break;
      total += n;
      if (total > MAX_INPUT_BYTES) throw new InputError(`${name} is larger than ${MAX_INPUT_TEXT}, the most amxstate reads`);
      chunks.push(n === CHUNK_BYTES ? chunk : chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (path !== null) closeSync(fd);
  }
}

/** Where the first byte lies that does not begin or continue a well-formed UTF-8 sequence. */
export function invalidUtf8At(bytes: Uint8Array): number | undefined {
  const n = bytes.length;
  let i = 0;
  const cont = (at: number, lo = 0x80, hi = 0xbf) => at < n && bytes[at]! >= lo && bytes[at]! <= hi;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) i += 1;
    else if (b >= 0xc2 && b <= 0xdf) {
      if (!cont(i + 1)) return i;
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      const lo = b === 0xe0 ? 0xa0 : 0x80;
      const hi = b === 0xed ? 0x9f : 0xbf;
      if (!cont(i + 1, lo, hi) || !cont(i + 2)) return i;
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      const lo = b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xf4 ? 0x8f : 0xbf;
      if (!cont(i + 1, lo, hi) || !cont(i + 2) || !cont(i + 3)) return i;
      i += 4;
    } else return i;
  }
  return undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as UTF-8 text (a leading byte order mark dropped); anything else is refused, never replaced. */
export function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const at = invalidUtf8At(bytes) ?? 0;
    throw new InputError(`${name} is not valid UTF-8 at byte ${at} (0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')}; bytes count from 0)`);
  }
}

/** The text of a file, or of standard input for `null`: readBytes() then decodeUtf8(). */
export function readText(path: string | null): string {
  return decodeUtf8(readBytes(path), sourceName(path));
}

/** What is wrong where in a JSON text that JSON.parse refused, found by a scan without recursion. */
function jsonProblem(text: string): { at: number; problem: string } | undefined {
  const n = text.length;
  const stack: string[] = [];
  let i = 0;
  type Want = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'commaOrEnd';
  let want: Want = 'value';
  const unexpected = (at: number) => ({ at, problem: `unexpected ${describeValue(text[at] ?? '')}` });
  const skipWhitespace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  /** Scans the string at i; returns a problem, or moves i past it. */
  const string = (): { at: number; problem: string } | undefined => {
    i++;
    for (;;) {
      if (i >= n) return { at: n, problem: 'unexpected end of input in a string' };
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return { at: i, problem: `${describeValue(text[i])} (a control character) inside a string` };
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else return { at: i, problem: 'a bad escape in a string' };
      } else i++;
    }
  };
  const number = (): { at: number; problem: string } | undefined => {
    const m = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
    m.lastIndex = i;
    const found = m.exec(text);
    if (!found || found[0] === '-' || found[0].length === 0) return unexpected(i);
    i += found[0].length;
    return undefined;
  };
  for (;;) {
    skipWhitespace();
    if (i >= n) return want === 'commaOrEnd' && stack.length === 0 ? undefined : { at: n, problem: 'unexpected end of input' };
    const c = text[i]!;
    if (want === 'value' || want === 'valueOrEnd') {
      if (want === 'valueOrEnd' && c === ']') {
        stack.pop();
        i++;
        want = 'commaOrEnd';
        continue;
      }
      if (c === '{' || c === '[') {
        stack.push(c);
        i++;
        want = c === '{' ? 'keyOrEnd' : 'valueOrEnd';
        continue;
      }
      let problem: { at: number; problem: string } | undefined;
      if (c === '"') problem = string();
      else if (c === '-' || (c >= '0' && c <= '9')) problem = number();
      else {
        const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
        if (!word) return unexpected(i);
        i += word.length;
      }
      if (problem) return problem;
      want = 'commaOrEnd';
    } else if (want === 'key' || want === 'keyOrEnd') {
      if (want === 'keyOrEnd' && c === '}') {
        stack.pop();
        i++;
        want = 'commaOrEnd';
        continue;
      }
      if (c !== '"') return { at: i, problem: `expected a key in double quotes, found ${describeValue(c)}` };
      const problem = string();
      if (problem) return problem;
      want = 'colon';
    } else if (want === 'colon') {
      if (c !== ':') return { at: i, problem: `expected ':', found ${describeValue(c)}` };
      i++;
      want = 'value';
    } else {
      const top = stack.at(-1);
      if (top === undefined) return { at: i, problem: `${describeValue(c)} after the end of the JSON value` };
      const close = top === '{' ? '}' : ']';
      if (c === ',') {
        i++;
        want = top === '{' ? 'key' : 'value';
      } else if (c === close) {
        stack.pop();
        i++;
      } else return { at: i, problem: `expected ',' or '${close}', found ${describeValue(c)}` };
    }
  }
}

/** Line and column (both from 1) of a position in a text. */
function lineAndColumn(text: string, at: number): string {
  let line = 1;
  let start = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < at; k = text.indexOf('\n', k + 1)) {
    line++;
    start = k + 1;
  }
  return `line ${line}, column ${at - start + 1}`;
}

/** JSON.parse with its errors as one line: `malformed JSON at line 3, column 7: unexpected "x"`. */
/** A JSON object, as parseJson gives `{...}`: not null, not an array. Read its fields with ownEntry (src/own.ts). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (text.trim() === '') throw new InputError(`${name}: empty (expected JSON)`);
    const found = jsonProblem(text);
    if (found) throw new InputError(`${name}: malformed JSON at ${lineAndColumn(text, found.at)}: ${found.problem}`);
    throw new InputError(`${name}: malformed JSON: ${describeValue((e as Error).message)}`);
  }
}

// What error messages echo of the input (src/scenario/describe.ts) and how input is read
// (src/scenario/read.ts): short, one line, escaped, whatever the value; strict UTF-8; JSON errors
// with a line and a column.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeValue, messageLine, printable, quoteString } from '../../src/scenario/describe.js';
import { InputError, decodeUtf8, invalidUtf8At, parseJson } from '../../src/scenario/read.js';
import { ownEntry, lookupTable } from '../../src/own.js';
import { CONFIGS } from '../../src/explore/config.js';
import { PLATFORMS } from '../../machines/platform.js';

const RAW = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('describeValue', () => {
  it.each([
    [5, '5'],
    ['tiny', '"tiny"'],
    [null, 'null'],
    [undefined, 'nothing'],
    [true, 'true'],
    [Number.POSITIVE_INFINITY, 'a number out of range (Infinity)'],
    [Number.NEGATIVE_INFINITY, 'a number out of range (-Infinity)'],
    [-0, '-0'],
    [[1, 2, 3, 4, 5], '[1, 2, 3, …2 more]'],
    [{ a: 1 }, '{"a": 1}'],
    ['\u001b[31m', '"\\u001b[31m"'],
    ['a\nb\t"c"\\', '"a\\nb\\t\\"c\\"\\\\"'],
    ['\ud800x', '"\\ud800x"'],
    ['\u202eevil', '"\\u202eevil"'],
    ['😀', '"😀"'],
  ])('%j is %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });

  it('says how long a long string is, and shows only its start', () => {
    expect(describeValue('x'.repeat(50_000_000))).toBe(`"${'x'.repeat(40)}…" (50000000 characters)`);
  });

  it('never cuts a surrogate pair in half', () => {
    expect(quoteString('😀'.repeat(30), 5)).toBe(`"${'😀'.repeat(5)}…" (60 characters)`);
  });

  it('looks two levels deep into a value nested 10^5 deep', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(describeValue(deep)).toBe('[[[…1 item]]]');
  });

  it('is short, one line and free of raw control characters, whatever the value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.string({ unit: 'binary' }), (value, text) => {
        for (const d of [describeValue(value), describeValue(text), describeValue({ [text]: [text] })]) {
          expect(d.length).toBeLessThanOrEqual(120);
          expect(d).not.toMatch(RAW);
          expect(d).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        }
      }),
    );
  });
});

describe('printable and messageLine', () => {
  it('printable escapes control characters and keeps everything else whole', () => {
    expect(printable('main')).toBe('main');
    expect(printable('a\u001bb\u0085c\ud800')).toBe('a\\u001bb\\u0085c\\ud800');
    expect(printable('x'.repeat(10_000))).toHaveLength(10_000);
  });

  it('messageLine makes any message one short line', () => {
    expect(messageLine('one\ntwo')).toBe('one\\ntwo');
    const long = messageLine(`bad ${'y'.repeat(10_000_000)}`);
    expect(long.length).toBeLessThanOrEqual(1000);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('strict UTF-8', () => {
  it('finds the first byte that is not UTF-8, where TextDecoder would replace it', () => {
    const cases: [number[], number | undefined][] = [
      [[0x41, 0x42], undefined],
      [[0xc3, 0xa9], undefined],
      [[0x41, 0xe9, 0x42], 1],
      [[0xc0, 0x80], 0], // overlong
      [[0xed, 0xa0, 0x80], 0], // a surrogate
      [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
      [[0x41, 0xe2, 0x82], 1], // cut short
      [[0xf0, 0x9f, 0x98, 0x80], undefined],
    ];
    for (const [bytes, at] of cases) {
      expect(invalidUtf8At(Uint8Array.from(bytes)), JSON.stringify(bytes)).toBe(at);
      if (at === undefined) expect(() => decodeUtf8(Uint8Array.from(bytes), 'x')).not.toThrow();
      else expect(() => decodeUtf8(Uint8Array.from(bytes), 'x')).toThrow(new InputError(`x is not valid UTF-8 at byte ${at} (0x${bytes[at]!.toString(16)}; bytes count from 0)`));
    }
  });

  it('agrees with a fatal TextDecoder on any bytes', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        let valid = true;
        try {
          strict.decode(bytes);
        } catch {
          valid = false;
        }
        expect(invalidUtf8At(bytes) === undefined).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseJson', () => {
  it.each([
    ['{"steps": [', 'malformed JSON at line 1, column 12: unexpected end of input'],
    ['{"a": 1,\n  "b": x}', 'malformed JSON at line 2, column 8: unexpected "x"'],
    ['{"a": 1}}', 'malformed JSON at line 1, column 9: "}" after the end of the JSON value'],
    ['[1,]', 'malformed JSON at line 1, column 4: unexpected "]"'],
    ['{a: 1}', 'malformed JSON at line 1, column 2: expected a key in double quotes, found "a"'],
    ['"\u001b"', 'malformed JSON at line 1, column 2: "\\u001b" (a control character) inside a string'],
    ['   ', 'empty (expected JSON)'],
  ])('%j: %s', (text, message) => {
    expect(() => parseJson(text, 'f.json')).toThrow(new InputError(`f.json: ${message}`));
  });

  it('finds the error in a text nested 10^5 deep without recursion', () => {
    expect(() => parseJson(`${'['.repeat(100_000)}}`, 'f')).toThrow(/line 1, column 100001: unexpected "}"/);
  });

  it('locates every error JSON.parse finds, on one line', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('', '}', ']', ',', '"', 'x', '\n', ':'), (json, cut, extra) => {
        const text = json.slice(0, cut % (json.length + 1)) + extra;
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        if (valid) return;
        let message = '';
        try {
          parseJson(text, 'f');
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).toMatch(/^f: (malformed JSON at line \d+, column \d+: |empty)/);
        expect(message).not.toMatch(RAW);
      }),
      { numRuns: 500 },
    );
  });
});

describe('lookup tables', () => {
  it('find only their own entries', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(CONFIGS[name], name).toBeUndefined();
      expect(PLATFORMS[name], name).toBeUndefined();
      expect(name in CONFIGS, name).toBe(false);
      expect(ownEntry({ a: 1 }, name), name).toBeUndefined();
    }
    expect(ownEntry(lookupTable({ a: 1 }), 'a')).toBe(1);
    expect(Object.keys(CONFIGS)).toEqual(['tiny', 'default', 'wide', 'forks', 'lazy', 'altstacks', 'large']);
  });
});

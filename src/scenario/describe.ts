// Input as an error message may echo it: whatever the value (nested 10^5 deep, a 50 MB string, a
// number JSON read as Infinity, control characters, ANSI escapes, lone surrogates), the result is
// short, one line, and safe on a terminal.

/** How much of a string a message shows, in characters, before it says how long the string is. */
const STRING_SHOWN = 40;
/** How deep into arrays and objects a message looks, and how many items or keys it shows of each. */
const DEPTH_SHOWN = 2;
const ITEMS_SHOWN = 3;
/** The longest description, whatever the value. */
const DESCRIPTION_LIMIT = 120;

/**
 * Characters that must not reach a terminal or break a line as they are: C0 and C1 controls, DEL,
 * format characters (bidirectional overrides, zero-width characters), line and paragraph separators.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

function hex4(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = Object.freeze(Object.assign(Object.create(null) as Record<string, string>, {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
}));

/** One character (a code point, or a lone surrogate) as a message shows it. */
function escapeChar(ch: string, quote: boolean): string {
  const code = ch.codePointAt(0)!;
  if (code >= 0xd800 && code <= 0xdfff) return hex4(code); // a lone surrogate: for..of yields it alone
  if (quote && (ch === '"' || ch === '\\')) return `\\${ch}`;
  if (UNPRINTABLE.test(ch)) return Object.hasOwn(SHORT_ESCAPES, ch) ? SHORT_ESCAPES[ch]! : code > 0xffff ? `\\u{${code.toString(16)}}` : hex4(code);
  return ch;
}

/**
 * Text with every unprintable character escaped (`\u001b`, `\n`, lone surrogates as `\udc80`), whole:
 * for output such as a table cell, where nothing may be cut but nothing may reach the terminal raw.
 */
export function printable(text: string): string {
  // The common case costs one test.
  if (!/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u.test(text)) return text;
  let out = '';
  for (const ch of text) out += escapeChar(ch, false);
  return out;
}

/** A string as a message quotes it: JSON-like escapes, cut after STRING_SHOWN characters with its length said. */
export function quoteString(text: string, shown = STRING_SHOWN): string {
  let out = '"';
  let count = 0;
  let cut = false;
  for (const ch of text) {
    if (count === shown) {
      cut = true;
      break;
    }
    out += escapeChar(ch, true);
    count++;
  }
  return cut ? `${out}…" (${text.length} characters)` : `${out}"`;
}

function describeNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  // JSON.parse reads 1e400 as Infinity: the number was out of range, not "null" as JSON.stringify says.
  if (!Number.isFinite(n)) return `a number out of range (${n > 0 ? '' : '-'}Infinity)`;
  return Object.is(n, -0) ? '-0' : String(n);
}

function describeAt(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'undefined':
      return 'nothing';
    case 'string':
      return quoteString(value);
    case 'number':
      return describeNumber(value);
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
    case 'function':
      return `a ${typeof value}`;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (depth >= DEPTH_SHOWN) return `[…${value.length} item${value.length === 1 ? '' : 's'}]`;
    const items = value.slice(0, ITEMS_SHOWN).map((v: unknown) => describeAt(v, depth + 1));
    return `[${items.join(', ')}${value.length > ITEMS_SHOWN ? `, …${value.length - ITEMS_SHOWN} more` : ''}]`;
  }
  const keys = Object.keys(value as object);
  if (keys.length === 0) return '{}';
  if (depth >= DEPTH_SHOWN) return `{…${keys.length} key${keys.length === 1 ? '' : 's'}}`;
  const record = value as Record<string, unknown>;
  const entries = keys.slice(0, ITEMS_SHOWN).map((k) => `${quoteString(k, 20)}: ${describeAt(record[k], depth + 1)}`);
  return `{${entries.join(', ')}${keys.length > ITEMS_SHOWN ? `, …${keys.length - ITEMS_SHOWN} more` : ''}}`;
}

/**
 * Any value, as an error message shows what it found: `5`, `"tiny"`, `[[…1 item]]`, `{"a": 1, …2 more}`,
 * `a number out of range (Infinity)`, `nothing` for undefined. One line, at most DESCRIPTION_LIMIT
 * characters, no raw control character, whatever the value's size or depth.
 */
export function describeValue(value: unknown): string {
  const text = describeAt(value, 0);
  return text.length <= DESCRIPTION_LIMIT ? text : `${cutAt(text, DESCRIPTION_LIMIT - 1)}…`;
}

/** The first `n` UTF-16 units of text, not ending in half a surrogate pair. */
function cutAt(text: string, n: number): string {
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

/** The longest error line, whatever it quotes. */
export const MESSAGE_LIMIT = 1000;

/**
 * A whole message made safe for one line on standard error: unprintable characters escaped, cut at
 * MESSAGE_LIMIT characters. The last guard before the terminal, whatever built the message.
 */
export function messageLine(message: string): string {
  const head = message.length > 4 * MESSAGE_LIMIT ? message.slice(0, 4 * MESSAGE_LIMIT) : message;
  const text = printable(head);
  return text.length <= MESSAGE_LIMIT && head === message ? text : `${cutAt(text, Math.min(text.length, MESSAGE_LIMIT - 1))}…`;
}

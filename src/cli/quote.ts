// A command-line value as an error message quotes it: JSON-escaped (no control character reaches the
// terminal, no newline breaks the one-line message) and cut short when long.

const LIMIT = 60;

export function quoted(value: string): string {
  const q = JSON.stringify(value);
  return q.length > LIMIT ? `${q.slice(0, LIMIT - 4)}..."` : q;
}

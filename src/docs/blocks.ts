// Named blocks of a doc. `<!-- BEGIN generated: NAME -->` ... `<!-- END generated: NAME -->` holds a
// text that npm run docs makes from the code (the README's verdict matrix, the ops table); `<!-- BEGIN
// checked: NAME -->` ... `<!-- END checked: NAME -->` holds a text written by hand whose names
// docs:check compares with the code (the guard and action tables, the state trees).

const GENERATED = /<!-- BEGIN generated: ([a-z-]+) -->\n([\s\S]*?)\n?<!-- END generated: \1 -->/g;
const CHECKED = /<!-- BEGIN checked: ([a-z-]+) -->\n([\s\S]*?)\n?<!-- END checked: \1 -->/g;

export interface NamedResult {
  readonly text: string;
  readonly stale: readonly string[];
  readonly errors: readonly string[];
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** The doc with each generated block replaced by its body from `blocks`; every block of `blocks` must be in the doc. */
export function regenerateNamed(doc: string, text: string, blocks: ReadonlyMap<string, string>): NamedResult {
  const seen = new Set<string>();
  const stale: string[] = [];
  const errors: string[] = [];
  const out = text.replace(GENERATED, (whole, name: string, body: string, index: number) => {
    const now = blocks.get(name);
    if (now === undefined) {
      errors.push(`${doc}:${lineOf(text, index)}: a generated block "${name}" that nothing generates`);
      return whole;
    }
    seen.add(name);
    if (body !== now) stale.push(`${doc}:${lineOf(text, index)}: generated block "${name}" is stale`);
    return `<!-- BEGIN generated: ${name} -->\n${now}\n<!-- END generated: ${name} -->`;
  });
  const missing = [...blocks.keys()].filter((name) => !seen.has(name));
  if (missing.length > 0) errors.push(`${doc}: lacks the generated block(s) ${missing.join(', ')}`);
  return { text: out, stale, errors };
}

/** Checks each checked block with `check` (a message when the block is wrong). */
export function checkNamed(doc: string, text: string, check: (name: string, body: string) => string | undefined): string[] {
  const errors: string[] = [];
  for (const m of text.matchAll(CHECKED)) {
    const problem = check(m[1]!, m[2]!);
    if (problem) errors.push(`${doc}:${lineOf(text, m.index)}: checked block "${m[1]!}" ${problem}`);
  }
  return errors;
}

// The names the docs give in backticks, against the code. A camelCase name there is a guard, an
// action or a state of the charts (read from the machines buildVariants() builds, never from a list),
// or else a name the code defines (an observation field, a profile field, a function). A name renamed
// in the code but not in the docs is neither, and the test names it. docs/model.md and
// docs/variants.md name the charts most; the README and every other doc are held to the same rule.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartNames, everyChartName, unknownBacktickedNames } from '../../src/docs/tables.js';
import { projectRoot } from '../../src/files.js';

const ROOT = projectRoot();
const DOCS = ['docs/model.md', 'docs/variants.md', 'README.md', ...readdirSync(join(ROOT, 'docs')).filter((n) => n.endsWith('.md') && n !== 'model.md' && n !== 'variants.md').sort().map((n) => `docs/${n}`)];

/**
 * The identifiers of the TypeScript sources under machines/ and src/. Comments are left out: a renamed
 * guard may live on in one, and that does not make the docs right.
 */
function codeIdentifiers(): Set<string> {
  const ids = new Set<string>();
  for (const dir of ['machines', 'src']) {
    for (const e of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || !e.name.endsWith('.ts')) continue;
      const code = readFileSync(join(e.parentPath, e.name), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:])\/\/.*$/gm, '$1');
      for (const m of code.matchAll(/[A-Za-z_$][\w$]*/g)) ids.add(m[0]);
    }
  }
  return ids;
}

const charts = chartNames();
const known = new Set([...everyChartName(charts), ...codeIdentifiers()]);
const docs = DOCS.map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));

describe('the chart names the docs give', () => {
  it.each(docs)('$path names no guard, action, state or other name that the charts and the code lack', ({ text }) => {
    expect(unknownBacktickedNames(text, known)).toEqual([]);
  });

  it('would name a guard that was renamed in the charts and the code but not in the docs', () => {
    const [model] = docs;
    // Each chart's guards that docs/model.md names in prose or tables, as if renamed everywhere but there.
    const renamed = [...new Set([...charts.get('linux')!.values()].flatMap((c) => c.guards))].filter((g) => model!.text.includes(`\`${g}\``));
    expect(renamed.length).toBeGreaterThan(10);
    const after = new Set([...known].filter((n) => !renamed.includes(n)));
    expect(unknownBacktickedNames(model!.text, after).sort()).toEqual([...renamed].sort());
  });

  it('reads guards, actions and states from every variant, and takes a name with its parameters as the name', () => {
    const all = everyChartName(charts);
    for (const name of ['tileDataAccessTraps', 'dropLargeBufferAtExec', 'onAltstack', 'guestPermissionLock', 'refuseEbusy']) expect(all.has(name), name).toBe(true);
    expect(unknownBacktickedNames('`killedBy(by)` and `inheritsAltstack(size)`, not `killedByThread(by)`', all)).toEqual(['killedByThread']);
  });
});

// npm run docs / npm run docs:check: the generated part of the documentation, made from the machines
// and the checker. `docs` writes it; `docs:check` regenerates it in memory and fails, naming the
// files, when what is committed differs. Nothing here depends on time or machine, so a clean tree
// regenerates byte for byte.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { VARIANT_NAMES, type VariantName } from '../../machines/variants.js';
import { ALL_VARIANTS, checkVariant, compareWithManifest, loadManifest, type VariantCheck } from '../check/check.js';
import { diagramText } from '../diagram/request.js';
import { makeParents, projectRoot } from '../files.js';
import { generateSuite } from '../paths/suite.js';
import { sequenceMermaid, sequenceSvg } from '../diagram/sequence.js';
import { variantMarks } from '../diagram/variant-diff.js';
import { CONFIGS } from '../explore/config.js';
import { PROPERTIES } from '../properties/catalogue.js';
import { toScenario } from '../scenario/format.js';
import { modelFor, simulate } from '../simulate/simulate.js';

const ROOT = projectRoot();

const DIAGRAMS = 'docs/diagrams';
const COVERAGE_CONFIG = 'default';

/** Generated files (path relative to the root -> content), and the README blocks by name. */
interface Generated {
  readonly files: Map<string, string>;
  readonly readmeBlocks: Map<string, string>;
}

function matrixMarkdown(results: readonly VariantCheck[]): string {
  const cell = (r: VariantCheck, property: string) => {
    const c = r.cells[property];
    if (!c) return '-';
    if (c.verdict === 'violated') return `**violated (${c.counterexample?.steps.length ?? '?'})**`;
    return c.vacuous ? 'holds*' : 'holds';
  };
  const lines = [
    `| property | ${results.map((r) => `\`${r.variant}\``).join(' | ')} |`,
    `| --- | ${results.map(() => '---').join(' | ')} |`,
    ...PROPERTIES.map((p) => `| \`${p.name}\` | ${results.map((r) => cell(r, p.name)).join(' | ')} |`),
  ];
  const states = results.map((r) => `\`${r.variant}\` ${r.stats.states}`).join(', ');
  const notes = [
    `Configuration \`default\` (${CONFIGS['default']!.description}); distinct states: ${states}.`,
    '',
    'violated (N): the shortest counterexample has N steps. holds*: vacuously, the configuration has none of the ops that could break it.',
  ];
  return [...lines, '', ...notes].join('\n');
}

async function generate(): Promise<Generated> {
  const files = new Map<string, string>();
  const put = (path: string, text: string) => files.set(path, text.endsWith('\n') ? text : `${text}\n`);
  for (const machine of ['task', 'process', 'system'] as const) {
    put(`${DIAGRAMS}/${machine}.svg`, await diagramText({ variant: 'linux', machine, format: 'svg' }));
    put(`${DIAGRAMS}/${machine}.mmd`, await diagramText({ variant: 'linux', machine, format: 'mermaid' }));
  }
  for (const variant of VARIANT_NAMES.filter((v): v is Exclude<VariantName, 'linux'> => v !== 'linux')) {
    for (const machine of ['task', 'process'] as const) {
      if (variantMarks(variant, machine).size === 0) continue;
      put(`${DIAGRAMS}/variants/${variant}-${machine}.svg`, await diagramText({ variant, machine, format: 'svg' }));
    }
  }
  const coverage = generateSuite('linux', CONFIGS[COVERAGE_CONFIG]!).coverage;
  for (const machine of ['task', 'process'] as const) {
    put(
      `${DIAGRAMS}/coverage/linux-${COVERAGE_CONFIG}-${machine}.svg`,
      await diagramText({ variant: 'linux', machine, format: 'svg', coverage: { configName: COVERAGE_CONFIG, coverage } }),
    );
  }
  const results = ALL_VARIANTS.map((v) => checkVariant(v, CONFIGS['default']!));
  const mismatches = compareWithManifest(results, loadManifest());
  if (mismatches.length > 0) throw new Error(`docs: the checker disagrees with machines/manifest.json (${mismatches.map((m) => `${m.variant} ${m.what}`).join(', ')}); fix that first`);
  for (const r of results) {
    for (const [property, cell] of Object.entries(r.cells)) {
      if (!cell.counterexample) continue;
      const scenario = toScenario(JSON.parse(JSON.stringify(cell.counterexample)));
      const { observations } = simulate(scenario, modelFor(r.variant));
      const mark = { step: scenario.steps.length, label: `${property} broken` };
      put(`${DIAGRAMS}/counterexamples/${r.variant}--${property}.svg`, sequenceSvg(scenario, observations, mark));
      put(`${DIAGRAMS}/counterexamples/${r.variant}--${property}.mmd`, sequenceMermaid(scenario, observations, mark));
    }
  }
  const readmeBlocks = new Map<string, string>([
    ['task-lifecycle', ['```mermaid', (await diagramText({ variant: 'linux', machine: 'task', format: 'mermaid' })).trimEnd(), '```'].join('\n')],
    ['verdict-matrix', matrixMarkdown(results)],
  ]);
  return { files, readmeBlocks };
}

const BLOCK = /<!-- BEGIN generated: ([a-z-]+) -->\n[\s\S]*?<!-- END generated: \1 -->/g;

/** README.md with every generated block replaced; a block README does not have is an error. */
function regenerateReadme(readme: string, blocks: ReadonlyMap<string, string>): string {
  const seen = new Set<string>();
  const out = readme.replace(BLOCK, (_, name: string) => {
    const body = blocks.get(name);
    if (body === undefined) throw new Error(`docs: README.md has a generated block "${name}" that nothing generates`);
    seen.add(name);
    return `<!-- BEGIN generated: ${name} -->\n${body}\n<!-- END generated: ${name} -->`;
  });
  const missing = [...blocks.keys()].filter((name) => !seen.has(name));
  if (missing.length > 0) throw new Error(`docs: README.md lacks the generated block(s) ${missing.join(', ')}`);
  return out;
}

function committedDiagrams(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

async function main(check: boolean): Promise<number> {
  const { files, readmeBlocks } = await generate();
  const readmePath = join(ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  files.set('README.md', regenerateReadme(readme, readmeBlocks));
  const orphans = committedDiagrams(join(ROOT, DIAGRAMS)).filter((p) => !files.has(p));
  if (check) {
    const stale = [...files].filter(([path, text]) => !existsSync(join(ROOT, path)) || readFileSync(join(ROOT, path), 'utf8') !== text).map(([path]) => path);
    const problems = [...stale.map((p) => `stale or missing: ${p}`), ...orphans.map((p) => `not generated any more: ${p}`)];
    if (problems.length > 0) {
      process.stderr.write(`docs:check: ${problems.length} generated file(s) out of date; run npm run docs\n${problems.map((p) => `  ${p}\n`).join('')}`);
      return 1;
    }
    process.stdout.write(`docs:check: ${files.size} generated files are up to date\n`);
    return 0;
  }
  for (const [path, text] of files) {
    const full = join(ROOT, path);
    makeParents(full);
    if (!existsSync(full) || readFileSync(full, 'utf8') !== text) writeFileSync(full, text);
  }
  for (const p of orphans) process.stderr.write(`docs: ${p} is no longer generated; delete it\n`);
  process.stdout.write(`docs: ${files.size} generated files written under ${DIAGRAMS} and README.md\n`);
  return orphans.length > 0 ? 1 : 0;
}

const args = process.argv.slice(2);
if (args.some((a) => a !== '--check')) {
  process.stderr.write(`docs: unknown argument ${args.find((a) => a !== '--check')} (only --check)\n`);
  process.exitCode = 2;
} else {
  main(args.includes('--check')).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}

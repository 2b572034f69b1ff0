// npm run docs / npm run docs:check: the generated part of the documentation, made from the machines,
// the checker and the command line. `docs` writes it; `docs:check` regenerates it in memory and fails,
// naming the file and the block, when what is committed differs. It covers:
//   - the diagrams under docs/diagrams/;
//   - `<!-- BEGIN generated: NAME -->` blocks (README's verdict matrix and task chart, the ops and
//     variants tables), made from the code (blocks.ts, tables.ts);
//   - `<!-- BEGIN output: COMMAND -->` console blocks in README.md and docs/*.md, whose output is
//     what their `$` lines print now (outputs.ts, shell.ts; run through dist/, rebuilt when stale);
//   - `<!-- BEGIN checked: NAME -->` text written by hand whose names must match the code (the guard
//     and action tables and the state trees of the charts, the command synopses and option tables;
//     tables.ts). The other chart names docs/model.md and docs/variants.md give in backticks are held
//     to the charts and the code by test/docs/chart-names.test.ts.
// Nothing here depends on time or machine, so a clean tree regenerates byte for byte.
//
//   tsx src/docs/generate.ts [--check] [--from-source] [DOC.md ...]
// With DOC arguments only the output and checked blocks of those docs are done (quick, and the way
// to check a doc outside docs/); without, everything. --from-source runs amxstate from src/ through
// tsx instead of dist/ (slower; the tests use it so as not to race a build of dist/).

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { VARIANT_NAMES, type VariantName } from '../../machines/variants.js';
import { ALL_VARIANTS, checkVariant, compareWithManifest, loadManifest, shownCell, VACUOUS_MEANING, verdictWords, type VariantCheck } from '../check/check.js';
import { diagramText } from '../diagram/request.js';
import { makeParents, projectRoot } from '../files.js';
import { generateSuite } from '../paths/suite.js';
import { sequenceMermaid, sequenceSvg } from '../diagram/sequence.js';
import { variantMarks } from '../diagram/variant-diff.js';
import { CONFIGS } from '../explore/config.js';
import { PROPERTIES } from '../properties/catalogue.js';
import { toScenario } from '../scenario/format.js';
import { modelFor, simulate } from '../simulate/simulate.js';
import { checkNamed, regenerateNamed } from './blocks.js';
import { regenerateOutputs } from './outputs.js';
import { distRunner, memoisedRunner, ensureBuilt, sourceRunner } from './runner.js';
import type { Runner } from './shell.js';
import { COMMANDS } from '../cli/program.js';
import { chartNames, checkChartBlock, checkOptionsTable, checkSynopsis, commandOptions, opsTable, propertiesTable, routingTable, variantsTable } from './tables.js';

const ROOT = projectRoot();

const DIAGRAMS = 'docs/diagrams';
const COVERAGE_CONFIG = 'default';

/** Generated files (path relative to the root -> content), and the generated blocks of each doc by name. */
interface Generated {
  readonly files: Map<string, string>;
  readonly blocks: Map<string, Map<string, string>>;
}

function matrixMarkdown(results: readonly VariantCheck[]): string {
  // A violated cell is bold, so that the few stand out among the holds.
  const cell = (r: VariantCheck, property: string) => {
    const c = r.cells[property];
    const words = verdictWords(c && shownCell(c, r.stats.complete));
    return c?.verdict === 'violated' ? `**${words}**` : words;
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
    `violated (N): the shortest counterexample has N steps. holds*: vacuously, ${VACUOUS_MEANING}.`,
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
  // The properties "eventually" hold vacuously on `default`; their lassos are drawn from `lazy`.
  const lassos = PROPERTIES.filter((p) => p.kind === 'eventually').map((p) => checkVariant('linux', CONFIGS['lazy']!, { properties: [p] }));
  for (const r of [...results, ...lassos]) {
    for (const [property, cell] of Object.entries(r.cells)) {
      if (!cell.counterexample) continue;
      const scenario = toScenario(JSON.parse(JSON.stringify(cell.counterexample)));
      const { observations } = simulate(scenario, modelFor(r.variant));
      const loopsFrom = scenario.header?.loopsFrom;
      const mark = { step: loopsFrom !== undefined ? loopsFrom - 1 : scenario.steps.length, label: `${property} broken` };
      put(`${DIAGRAMS}/counterexamples/${r.variant}--${property}.svg`, sequenceSvg(scenario, observations, mark));
      put(`${DIAGRAMS}/counterexamples/${r.variant}--${property}.mmd`, sequenceMermaid(scenario, observations, mark));
    }
  }
  const blocks = new Map<string, Map<string, string>>([
    [
      'README.md',
      new Map([
        ['task-lifecycle', ['```mermaid', (await diagramText({ variant: 'linux', machine: 'task', format: 'mermaid' })).trimEnd(), '```'].join('\n')],
        ['verdict-matrix', matrixMarkdown(results)],
      ]),
    ],
    ['docs/checking.md', new Map([['properties', propertiesTable()]])],
    ['docs/scenarios.md', new Map([['ops', opsTable()]])],
    ['docs/model.md', new Map([['routing', routingTable()]])],
    ['docs/variants.md', new Map([['variants', variantsTable()]])],
  ]);
  return { files, blocks };
}


function committedDiagrams(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Checks one checked block by its name. */
function checkBlock(name: string, body: string): string | undefined {
  if (/^(task|process)-/.test(name)) return checkChartBlock(name, body, chartNames().get('linux')!);
  if (name === 'synopsis' || name.startsWith('synopsis-')) return checkSynopsis(name, body, commandOptions(COMMANDS));
  if (name.startsWith('options-')) return checkOptionsTable(name, body, commandOptions(COMMANDS));
  return `nothing checks a block "${name}" (task-guards, process-guards, task-actions, task-states, process-states, synopsis, synopsis-COMMAND, options-COMMAND)`;
}

/** README.md and docs/*.md, relative to the root. */
function allDocs(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .sort()
    .map((n) => `docs/${n}`);
  return ['README.md', ...docs];
}

/** What one doc should read, and what differs or cannot be made. */
interface DocResult {
  readonly text: string;
  readonly stale: string[];
  readonly errors: string[];
}

/** Regenerates a doc's blocks: the generated ones (when `named` is given), the outputs, the checked ones. */
function regenerateDoc(name: string, text: string, named: ReadonlyMap<string, string> | undefined, runner: Runner): DocResult {
  const stale: string[] = [];
  const errors: string[] = [];
  let now = text;
  if (named) {
    const r = regenerateNamed(name, now, named);
    now = r.text;
    stale.push(...r.stale);
    errors.push(...r.errors);
  }
  const o = regenerateOutputs(name, now, runner);
  now = o.text;
  stale.push(...o.stale);
  errors.push(...o.errors);
  errors.push(...checkNamed(name, now, checkBlock));
  return { text: now, stale, errors };
}

function report(check: boolean, stale: readonly string[], errors: readonly string[], orphans: readonly string[], done: string): number {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  if (check && stale.length > 0) {
    err(`docs:check: ${stale.length} generated file(s) or block(s) out of date; run npm run docs`);
    for (const p of stale) err(`  ${p}`);
  }
  if (errors.length > 0) {
    err(`${check ? 'docs:check' : 'docs'}: ${errors.length} block(s) cannot be generated or are wrong`);
    for (const p of errors) err(`  ${p}`);
  }
  for (const p of orphans) err(`${check ? 'docs:check' : 'docs'}: ${p} is not generated any more; delete it`);
  if ((check && stale.length > 0) || errors.length > 0 || orphans.length > 0) return 1;
  process.stdout.write(`${done}\n`);
  return 0;
}

/** How the console blocks run amxstate: from dist/, built first when stale, or from the sources. */
function runnerFor(fromSource: boolean): Runner {
  if (fromSource) return sourceRunner(ROOT);
  ensureBuilt(ROOT, (line) => process.stderr.write(`${line}\n`));
  return memoisedRunner(ROOT, distRunner(ROOT));
}

/** Only the output and checked blocks of the docs named on the command line. */
function mainDocs(check: boolean, paths: readonly string[], runner: Runner): number {
  const stale: string[] = [];
  const errors: string[] = [];
  let blocks = 0;
  for (const path of paths) {
    const full = resolve(path);
    const text = readFileSync(full, 'utf8');
    const r = regenerateDoc(path, text, undefined, runner);
    stale.push(...r.stale);
    errors.push(...r.errors);
    blocks += (text.match(/<!-- BEGIN output: /g) ?? []).length;
    if (!check && r.text !== text) writeFileSync(full, r.text);
  }
  return report(check, stale, errors, [], `${check ? 'docs:check' : 'docs'}: ${blocks} output block(s) in ${paths.length} doc(s) ${check ? 'are up to date' : 'written'}`);
}

async function main(check: boolean, runner: Runner): Promise<number> {
  const { files, blocks } = await generate();
  const stale: string[] = [];
  const errors: string[] = [];
  for (const doc of blocks.keys()) if (!existsSync(join(ROOT, doc))) errors.push(`${doc}: missing, but it has generated blocks`);
  const docs = new Map<string, string>();
  let outputs = 0;
  for (const doc of allDocs()) {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    const r = regenerateDoc(doc, text, blocks.get(doc) ?? new Map<string, string>(), runner);
    stale.push(...r.stale);
    errors.push(...r.errors);
    outputs += (text.match(/<!-- BEGIN output: /g) ?? []).length;
    docs.set(doc, r.text);
  }
  const orphans = committedDiagrams(join(ROOT, DIAGRAMS)).filter((p) => !files.has(p));
  const isStale = (path: string, text: string) => !existsSync(join(ROOT, path)) || readFileSync(join(ROOT, path), 'utf8') !== text;
  stale.unshift(...[...files].filter(([path, text]) => isStale(path, text)).map(([path]) => `${path}: stale or missing`));
  if (!check) {
    for (const [path, text] of [...files, ...docs]) {
      const full = join(ROOT, path);
      makeParents(full);
      if (isStale(path, text)) writeFileSync(full, text);
    }
  }
  const namedCount = [...blocks.values()].reduce((n, m) => n + m.size, 0);
  const summary = `${files.size} files under ${DIAGRAMS}, ${namedCount} generated blocks and ${outputs} output blocks in ${docs.size} docs`;
  return report(check, stale, errors, orphans, check ? `docs:check: ${summary} are up to date` : `docs: ${summary} written`);
}

const args = process.argv.slice(2);
const check = args.includes('--check');
const fromSource = args.includes('--from-source');
const paths = args.filter((a) => a !== '--check' && a !== '--from-source');
const unknown = paths.find((a) => a.startsWith('-') || !a.endsWith('.md'));
if (unknown !== undefined) {
  process.stderr.write(`docs: unknown argument ${unknown} (--check, --from-source, and the .md files whose output blocks to do)\n`);
  process.exitCode = 2;
} else {
  Promise.resolve()
    .then(() => runnerFor(fromSource))
    .then((runner) => (paths.length > 0 ? mainDocs(check, paths, runner) : main(check, runner)))
    .then(
      (code) => (process.exitCode = code),
      (e: unknown) => {
        process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
      },
    );
}

// This checkout's explorer against another checkout's, on one search, in one process, taking turns:
// what an engine change saves, measured where the machine's speed drifts between runs (a shared
// machine may run the same code three times slower on another day, so two days' `npm run bench`
// figures do not compare). The search, SEARCH: `1x3` (the default), linux, core ops, one process of
// three threads; `any-x-3`, core ops and FORK, any number of processes of three threads, by units
// (a search that forks from every state); each round with a new model; or `default`, the preset, with
// one model whose memo tables a search before the rounds filled, in more rounds (it takes half a
// second); every property, cut at STATES states.
//
//   npm run bench:against -- DIR [STATES [SEARCH]]
//
// DIR is the other checkout, built (`npm install` there builds dist/). Exit codes: 0 measured,
// 1 the two versions disagree on the search (states, transitions or violations), 2 bad arguments or
// a DIR without a built explorer.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { relativeCpu } from './figures.js';

type Explorer = typeof import('../src/explore/explore.js');
type Config = typeof import('../src/explore/config.js');
type Catalogue = typeof import('../src/properties/catalogue.js');
type Simulate = typeof import('../src/simulate/simulate.js');

const ROUNDS = 4;
const DEFAULT_STATES = 150_000;

/** One search, as each version reports it. */
interface Search {
  readonly states: number;
  readonly transitions: number;
  readonly violated: string;
  readonly cpu: number;
  /** The transitions the step table answered without a step: undefined for a version without those answers. */
  readonly fromTable: number | undefined;
}

function fail(code: number, message: string): never {
  process.stderr.write(`bench:against: ${message}\n`);
  process.exit(code);
}

/** The searches to choose from: their presets and bounds, and what the output calls them. */
const SEARCHES = {
  '1x3': { preset: 'default', bounds: { processes: 1, threads: 3 }, words: 'linux 1x3 core ops', model: 'new' },
  'any-x-3': { preset: 'forks', bounds: { processes: Number.POSITIVE_INFINITY, threads: 3 }, words: 'linux any x 3 core ops and FORK, by units', model: 'new' },
  // One model whose memo tables a first search filled, as npm run bench's `again` line runs it.
  default: { preset: 'default', bounds: {}, words: 'linux default (1x2 core ops), the same model each round, its memo tables full', model: 'kept' },
} as const;
type SearchName = keyof typeof SEARCHES;
const SEARCH_NAMES = Object.keys(SEARCHES).join(', ');

/** A search on a kept model takes half a second: four times the rounds, for as steady a fastest round. */
function roundsOf(name: SearchName): number {
  return SEARCHES[name].model === 'kept' ? 4 * ROUNDS : ROUNDS;
}

function isSearchName(name: string): name is SearchName {
  return Object.hasOwn(SEARCHES, name);
}

/** The search, built from the modules of the checkout at `root` (its dist/). */
async function searchOf(root: string, states: number, name: SearchName): Promise<() => Search> {
  const load = async <M>(file: string): Promise<M> => {
    const path = join(root, 'dist', file);
    if (!existsSync(path)) fail(2, `${path} does not exist: build that checkout first (npm install there)`);
    return (await import(pathToFileURL(path).href)) as M;
  };
  const { explore } = await load<Explorer>('src/explore/explore.js');
  const { CONFIGS, boundedConfig } = await load<Config>('src/explore/config.js');
  const { PROPERTIES } = await load<Catalogue>('src/properties/catalogue.js');
  const { modelFor } = await load<Simulate>('src/simulate/simulate.js');
  const { preset: presetName, bounds, model: models } = SEARCHES[name];
  const preset = CONFIGS[presetName];
  if (preset === undefined) fail(2, `${root} has no ${presetName} preset`);
  const config = boundedConfig(preset, bounds);
  const kept = models === 'kept' ? modelFor('linux') : undefined;
  if (kept !== undefined) explore(kept, config, { properties: PROPERTIES, maxStates: states });
  return () => {
    const model = kept ?? modelFor('linux');
    const before = process.cpuUsage();
    const r = explore(model, config, { properties: PROPERTIES, maxStates: states });
    const used = process.cpuUsage(before);
    // An older checkout's result lacks fromTable, whatever the type of this one's says.
    const fromTable = (r as { readonly fromTable?: number }).fromTable;
    return { states: r.stats.states, transitions: r.stats.transitions, violated: [...r.violations.keys()].sort().join(', '), cpu: (used.user + used.system) / 1e6, fromTable };
  };
}

async function main(args: readonly string[]): Promise<void> {
  const [dir, statesArg, searchArg = '1x3', ...rest] = args;
  if (dir === undefined || rest.length > 0) fail(2, `usage: npm run bench:against -- DIR [STATES [SEARCH]] (DIR: another checkout, built; SEARCH: ${SEARCH_NAMES})`);
  const states = statesArg === undefined ? DEFAULT_STATES : Number(statesArg);
  // Decimal digits only, as check's --max-states: "1e3" or "0x10" are not what a user means by a count.
  if ((statesArg !== undefined && !/^[0-9]+$/.test(statesArg)) || !Number.isSafeInteger(states) || states < 1)
    fail(2, `STATES must be a decimal number, 1 or more, got "${statesArg}"`);
  if (!isSearchName(searchArg)) fail(2, `SEARCH must be one of ${SEARCH_NAMES}, got "${searchArg}"`);
  const here = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const versions = [
    { name: 'this checkout', search: await searchOf(here, states, searchArg), runs: [] as Search[] },
    { name: resolve(dir), search: await searchOf(resolve(dir), states, searchArg), runs: [] as Search[] },
  ];
  const rounds = roundsOf(searchArg);
  for (let round = 0; round < rounds; round++) {
    // Each goes first in every other round, so that neither always runs on a warmer machine.
    for (const v of round % 2 === 0 ? versions : [...versions].reverse()) v.runs.push(v.search());
  }
  process.stdout.write(`search     ${SEARCHES[searchArg].words}, every property, first ${states} states, ${rounds} rounds each, taking turns in one process\n`);
  for (const v of versions) {
    const r = v.runs[0]!;
    const answered = r.fromTable === undefined ? '' : ` (${r.fromTable} answered by the step table)`;
    process.stdout.write(`${v.name}: ${r.states} states, ${r.transitions} transitions${answered}, CPU ${v.runs.map((x) => x.cpu.toFixed(2)).join(' ')} s\n`);
  }
  const [ours, theirs] = [versions[0]!.runs, versions[1]!.runs];
  const a = ours[0]!;
  const b = theirs[0]!;
  if (a.states !== b.states || a.transitions !== b.transitions || a.violated !== b.violated)
    fail(1, `the two versions disagree: here ${a.states} states, ${a.transitions} transitions, violated ${a.violated || 'none'}; there ${b.states}, ${b.transitions}, ${b.violated || 'none'}`);
  process.stdout.write(`this checkout takes ${relativeCpu(ours.map((r) => r.cpu), theirs.map((r) => r.cpu))} of the other's CPU time\n`);
}

await main(process.argv.slice(2));

// `amxstate check`: the verdict matrix, its statistics, and each counterexample as numbered steps.

import { command, CONFIG_OPTION, configOption, PLATFORM_OPTION, variantOption, type OptionValues } from './command.js';
import { EXIT, UsageError } from './exit.js';
import type { VariantName } from '../../machines/variants.js';
import {
  ALL_VARIANTS,
  boundOption,
  CHECK_REDUCTIONS,
  compareWithManifest,
  HEAP_LIMIT,
  heapLimitAdvice,
  hasManifestEntry,
  isCheckReduction,
  loadManifest,
  shownCell,
  VACUOUS_MEANING,
  verdictWords,
  type Cell,
  type CheckReduction,
  type VariantCheck,
} from '../check/check.js';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { platformOption } from '../platform/resolve.js';
import { PROPERTIES } from '../properties/catalogue.js';
import type { ExploreStats } from '../explore/explore.js';
import { boundedConfig, CONFIGS, opsNamed, type Bounds, type ExploreConfig } from '../explore/config.js';
import { OP_NAMES } from '../../machines/kernel-events.js';
import { MAX_SIGNAL_DEPTH } from '../scenario/limits.js';
import { quoted } from './quote.js';
import { runAnyThreads, viewsLine } from './check-any-threads.js';
import { everyProcessCount } from '../explore/units.js';
import { viewsCover } from '../explore/counter.js';
import { QUIET_OPTION, formatSeconds, withProgress } from './progress.js';
import { checkVariants, defaultJobs } from '../check/pool.js';
import type { Manifest } from '../check/check.js';

function renderMatrix(results: readonly VariantCheck[]): string {
  const head = ['property', ...results.map((r) => r.variant)];
  const rows = PROPERTIES.map((p) => [
    p.name,
    ...results.map((r) => {
      const c = r.cells[p.name];
      return verdictWords(c && shownCell(c, r.stats.complete));
    }),
  ]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function renderCounterexamples(results: readonly VariantCheck[]): string {
  return results
    .flatMap((r) =>
      Object.entries(r.cells).flatMap(([name, c]) => {
        if (!c.counterexample) return [];
        const loopsFrom = c.counterexample.header.loopsFrom;
        const steps = c.counterexample.steps.map((s, i) => {
          const { note, ...step } = s;
          const mark = loopsFrom !== undefined && i + 1 >= loopsFrom ? '   <- cycle: repeats forever' : note !== undefined ? '   <- first bad step' : '';
          return `  ${String(i + 1).padStart(2)}. ${JSON.stringify(step)}${mark}`;
        });
        const shape = loopsFrom === undefined ? `in ${steps.length} step${steps.length === 1 ? '' : 's'}` : `by a lasso: ${loopsFrom - 1} steps, then ${loopsFrom === steps.length ? `step ${loopsFrom}` : `steps ${loopsFrom}-${steps.length}`} forever`;
        return [`${r.variant}: ${name} violated ${shape}`, ...steps];
      }),
    )
    .join('\n');
}

export interface CheckValues extends OptionValues {
  variant?: string;
  config: string;
  json: boolean;
  'max-states'?: string;
  'max-memory'?: string;
  counterexamples: boolean;
  platform?: string;
  timings?: boolean;
  quiet?: boolean;
  processes?: string;
  threads?: string;
  execs?: string;
  'signal-depth'?: string;
  ops?: string;
  reduction?: string;
  jobs?: string;
}

/** A bound: decimal digits only, at least `least`, at most `most`. */
function parseBound(option: string, text: string | undefined, least: number, most: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n) || n < least || n > most)
    throw new UsageError(`check: --${option}: expected a decimal integer from ${least} to ${most}, got ${quoted(text)}`);
  return n;
}

/** The configuration: the preset of --config, with the bounds given one by one replacing its own. */
function boundsOption(values: CheckValues): ExploreConfig {
  const preset = configOption('check', values.config);
  const ops = values.ops === undefined ? undefined : opsNamed(values.ops);
  if (ops !== undefined && 'unknown' in ops)
    throw new UsageError(`check: --ops: ${quoted(ops.unknown)} is no op (core, all, or op names from: ${OP_NAMES.join(', ')})`);
  const bounds: Bounds = {
    ...optional('processes', values.processes === ANY_COUNT ? Number.POSITIVE_INFINITY : parseProcesses(values.processes)),
    ...optional('threads', values.threads === ANY_COUNT ? undefined : parseThreads(values.threads)),
    ...optional('execs', parseBound('execs', values.execs, 0, MAX_EXPLORED_EXECS)),
    ...optional('signalDepth', parseBound('signal-depth', values['signal-depth'], 0, MAX_SIGNAL_DEPTH)),
    ...(ops !== undefined ? { ops: { choices: ops.choices, named: values.ops! } } : {}),
  };
  return Object.keys(bounds).length === 0 ? preset : boundedConfig(preset, bounds);
}

/**
 * `--threads any`: verdicts for every thread count (check-any-threads.ts); `--processes any`: for
 * every number of processes (the search by units, explore/units.ts).
 */
const ANY_COUNT = 'any';

function parseProcesses(text: string | undefined): number | undefined {
  if (text !== undefined && !/^[0-9]+$/.test(text))
    throw new UsageError(`check: --processes: expected "any" or a decimal integer from 1 to ${MAX_EXPLORED_PROCESSES}, got ${quoted(text)}`);
  return parseBound('processes', text, 1, MAX_EXPLORED_PROCESSES);
}

function parseThreads(text: string | undefined): number | undefined {
  if (text !== undefined && !/^[0-9]+$/.test(text))
    throw new UsageError(`check: --threads: expected "any" or a decimal integer from 1 to ${MAX_EXPLORED_THREADS}, got ${quoted(text)}`);
  return parseBound('threads', text, 1, MAX_EXPLORED_THREADS);
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** Bounds a search can be asked for: beyond them it would not end on this kind of machine anyway. */
const MAX_EXPLORED_PROCESSES = 8;
const MAX_EXPLORED_THREADS = 16;
const MAX_EXPLORED_EXECS = 16;

/** What `--processes any` answers, and how. */
const EVERY_PROCESS_COUNT =
  'Verdicts for every number of processes: each unit of processes (one process, or a vfork parent and its child) searched apart, the others idle; ' +
  'states are units; a counterexample runs every process its path forks (docs/checking.md#every-process-count).';

/** What a reduced run's statistics and counterexamples are, under them. */
const REDUCED_RUN =
  'Partial-order reduction (--reduction por): states and transitions are those of the reduced search, which machines/manifest.json does not count; ' +
  'verdicts are compared, and a counterexample may be longer than the shortest.';

/** What a run through views proves, and what its statistics are, under them. */
const THROUGH_VIEWS =
  'Through views (--reduction views): a property holds where the view abstraction proves it for every thread count (and every process count where there are several), ' +
  'so under these bounds too (docs/checking.md#bounded-verdicts-through-views); the bounded search judges the rest and stops once each is violated, with the shortest counterexample the full search finds. ' +
  'Its states and transitions are those it took, which machines/manifest.json does not count; verdicts are compared.';

/** --reduction: none, por or views. */
function parseReduction(text: string | undefined): CheckReduction {
  if (text === undefined) return 'none';
  if (!isCheckReduction(text)) throw new UsageError(`check: --reduction: expected ${CHECK_REDUCTIONS.slice(0, -1).join(', ')} or ${CHECK_REDUCTIONS.at(-1)}, got ${quoted(text)}`);
  return text;
}

/** --max-states: decimal digits only (not 0x10, 1e3, +5, " 7"), at least 1. */
export function parseMaxStates(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`check: --max-states: expected a positive decimal integer, got ${quoted(text)}`);
  return n;
}

/** --max-memory: MiB of memory (the heap and the typed arrays, explore.ts memoryInUse), decimal digits only, at least 1; in bytes. */
export function parseMaxMemory(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`check: --max-memory: expected a positive decimal number of MiB, got ${quoted(text)}`);
  return n * 2 ** 20;
}

/** Searches at once: more would only make the searches take turns on a CPU. */
const MAX_JOBS = 64;

/**
 * --jobs: how many variants are searched at once, each on a worker thread; 1 searches them one after
 * the other in this thread. Without it: one per CPU, but one with --max-memory (a bound per search).
 */
export function parseJobs(values: CheckValues, variants: number): number {
  const given = parseBound('jobs', values.jobs, 1, MAX_JOBS);
  if (given !== undefined) return Math.min(given, variants);
  return values['max-memory'] !== undefined ? 1 : defaultJobs(variants);
}

/**
 * The variants, largest search first by the manifest's state counts for the preset (the `default`
 * preset's for bounds given one by one): the order the workers take them in.
 */
function largestFirst(manifest: Manifest, configName: string, variants: readonly VariantName[]): VariantName[] {
  const counts = (Object.hasOwn(manifest.configs, configName) ? manifest.configs[configName] : manifest.configs['default'])?.states ?? {};
  return [...variants].sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0));
}

/** That bound as the user gave it: `--max-states 50`, `--max-memory 512`; or node's heap limit. */
function boundWords(stats: ExploreStats, values: CheckValues): string {
  const name = boundOption(stats);
  return name === HEAP_LIMIT ? name : `${name} ${values[name === '--max-memory' ? 'max-memory' : 'max-states']}`;
}

/** The bounds that cut the searches short, once each: `--max-states 50`, or `--max-states 50 or --max-memory 512`. */
function stopWords(incomplete: readonly VariantCheck[], values: CheckValues): string {
  return [...new Set(incomplete.map((r) => boundWords(r.stats, values)))].join(' or ');
}

/** Statistics as stdout shows them: without the timings unless --timings asked for them, so that runs compare byte for byte. */
function shownStats<S extends { readonly seconds: number; readonly statesPerSecond?: number }>(stats: S, timings: boolean): Partial<S> {
  if (timings) return stats;
  const { seconds: _seconds, statesPerSecond: _rate, ...rest } = stats;
  return rest as Partial<S>;
}

/** A cell as --json prints it: the cell, or only its verdict where that is "unknown" (shownCell). */
function jsonCell(cell: Cell, complete: boolean): Cell | { readonly verdict: 'unknown' } {
  return shownCell(cell, complete).verdict === 'unknown' ? { verdict: 'unknown' } : cell;
}

function statsLine(r: VariantCheck, timings: boolean): string {
  const s = r.stats;
  return (
    (r.views !== undefined ? `${viewsLine(r.variant, r.views, timings)}${r.views.complete ? '' : ': nothing proven by views'}\n` : '') +
    `${r.variant.padEnd(24)} ${String(s.states).padStart(8)} states ${String(s.transitions).padStart(9)} transitions  depth ${s.depth}` +
    (timings ? `  ${s.seconds.toFixed(2)} s  ${s.statesPerSecond} states/s` : '') +
    (s.complete ? '' : `  (stopped at ${boundOption(s)})`)
  );
}

/** What a finished variant's progress line says (standard error: timings belong there). */
function progressDone(r: VariantCheck): string {
  const s = r.stats;
  const views = r.views === undefined ? '' : `${r.views.views} views, then `;
  const seconds = s.seconds + (r.views?.seconds ?? 0);
  return `${r.variant}: ${s.complete ? '' : `stopped at ${boundOption(s)} after `}${views}${s.states} states, ${s.transitions} transitions, depth ${s.depth} in ${formatSeconds(seconds * 1000)}${r.views === undefined ? ` (${s.statesPerSecond} states/s)` : ''}`;
}

export const CHECK = command<CheckValues>({
  name: 'check',
  summary: 'explore the model exhaustively; print the verdict matrix and compare it with machines/manifest.json',
  options: [
    { flags: '--variant <V>', description: 'one design variant (default: all five)' },
    CONFIG_OPTION,
    { flags: '--processes <P>', description: "at most P processes alive at once (replaces the configuration's bound); `any`: verdicts for every number of processes (each searched apart)" },
    { flags: '--threads <N>', description: 'at most N live threads per process; `any`: verdicts for every thread count (the view abstraction)' },
    { flags: '--execs <E>', description: 'at most E successful execs along a path' },
    { flags: '--signal-depth <D>', description: 'at most D signal handlers running at once in one thread' },
    { flags: '--ops <OPS>', description: "core, all, or a comma-separated list of ops (replaces the configuration's ops)" },
    PLATFORM_OPTION,
    { flags: '--json', description: 'everything as one JSON object, counterexamples as scenarios', default: false },
    { flags: '--max-states <N>', description: 'stop after N states, a decimal number (then exit 4: nothing differs, nothing proven)' },
    { flags: '--max-memory <MiB>', description: 'stop once the search holds MiB mebibytes (the JavaScript heap and the typed arrays), looked at every 1024 states (then exit 4, as --max-states)' },
    {
      flags: '--reduction <R>',
      description:
        'none (the default); por: partial-order reduction, the same verdicts, fewer states where threads commute, counterexamples not always shortest; ' +
        'views: what holds proven by the view abstraction (every thread count), the rest judged by the bounded search, stopped once each is violated (the same verdicts and shortest counterexamples)',
    },
    { flags: '--counterexamples', description: 'print every counterexample as numbered steps', default: false },
    { flags: '--jobs <N>', description: 'search N variants at once, each on a worker thread, also with --threads any (default: one per CPU; 1 with --max-memory, which bounds each search)' },
    { flags: '--timings', description: 'also print seconds and states per second per variant (in --json: stats.seconds, stats.statesPerSecond)', default: false },
    QUIET_OPTION,
  ],
  details:
    'Bounds given one by one replace those of --config (a preset, as a TLC .cfg):\n' +
    'such a run has no entry in machines/manifest.json, which records the presets,\n' +
    'so nothing is compared and the exit status is 0 unless the search was cut.\n' +
    'Standard output is the same on every run of the same command: the timings are\n' +
    'left out of it unless --timings asks for them. Progress goes to standard error,\n' +
    "with each variant's seconds and states per second as it ends (not with --quiet).",
  run: runCheck,
});

export async function runCheck(values: CheckValues): Promise<number> {
  const config = boundsOption(values);
  const preset = config === CONFIGS[config.name];
  const variants: readonly VariantName[] = values.variant !== undefined ? [variantOption('check', values.variant)] : ALL_VARIANTS;
  const maxStates = parseMaxStates(values['max-states']);
  const maxMemoryBytes = parseMaxMemory(values['max-memory']);
  const reduction = parseReduction(values.reduction);
  const platform = values.platform !== undefined ? platformOption('check', values.platform) : DEFAULT_PLATFORM;
  const timings = values.timings === true;
  const jobs = parseJobs(values, variants.length);
  const byUnits = everyProcessCount(config.maxProcesses);
  if (byUnits && reduction === 'por') throw new UsageError('check: --processes any and --reduction por do not combine: the search by units takes every step');
  if (values.threads === ANY_COUNT && reduction === 'por') throw new UsageError('check: --threads any and --reduction por do not combine: the view search takes every step');
  if (values.threads === ANY_COUNT && !viewsCover(config))
    throw new UsageError(
      `check: --threads any covers one process, or every number of processes: configuration "${config.name}" has ${config.maxProcesses}; add --processes any (or --processes 1)`,
    );
  if (values.threads === ANY_COUNT && reduction === 'views') throw new UsageError('check: --threads any and --reduction views do not combine: --threads any gives every verdict through views already');
  // A broken manifest is bad input: say so before the search, not after it.
  const manifest = loadManifest();
  // The view search of a variant takes longer where its bounded search of the preset does: the same order.
  const byCost = largestFirst(manifest, config.name, variants);
  const bounds = { reduction, ...(maxStates !== undefined ? { maxStates } : {}), ...(maxMemoryBytes !== undefined ? { maxMemoryBytes } : {}) };
  if (values.threads === ANY_COUNT)
    return runAnyThreads({ config, variants, jobs, byCost, platform, bounds, json: values.json, counterexamples: values.counterexamples, timings, quiet: values.quiet });
  const results = await withProgress('check', values.quiet, (progress) =>
    checkVariants(variants, config, {
      platform,
      bounds,
      jobs,
      byCost,
      onProgress: (v, states, depth, found) => progress.explorer(v, found)(states, depth),
      onDone: (r) => progress.done(progressDone(r)),
    }),
  );
  const incomplete = results.filter((r) => !r.stats.complete);
  // Nothing was decided: every variant was cut off, and no property was violated anywhere.
  const nothingDecided = incomplete.length === results.length && results.every((r) => Object.values(r.cells).every((c) => c.verdict === 'holds'));
  // A platform the manifest does not record (a measured host, a file) has nothing to compare against.
  const recorded = preset && hasManifestEntry(manifest, config.name, platform.name);
  const mismatches = recorded ? compareWithManifest(results, manifest, config.name, platform.name) : [];
  const stats = Object.fromEntries(results.map((r) => [r.variant, { ...shownStats(r.stats, timings), ...(r.views !== undefined ? { views: shownStats(r.views, timings) } : {}) }]));
  const onPlatform = platform === DEFAULT_PLATFORM ? '' : ` on platform ${platform.name}`;
  if (values.json) {
    const out = {
      config: config.name,
      ...(platform === DEFAULT_PLATFORM ? {} : { platform: platform.name, manifestEntry: recorded }),
      ...(reduction === 'none' ? {} : { reduction }),
      ...(byUnits ? { processes: 'any' } : {}),
      variants: Object.fromEntries(results.map((r) => [r.variant, Object.fromEntries(Object.entries(r.cells).map(([name, c]) => [name, jsonCell(c, r.stats.complete)]))])),
      stats,
      mismatches,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    const lines = [
      `amxstate check: configuration "${config.name}": ${config.description}`,
      ...(platform === DEFAULT_PLATFORM ? [] : [`platform ${platform.name}: ${platform.description}`]),
      ...(byUnits ? [EVERY_PROCESS_COUNT] : []),
      '',
      renderMatrix(results),
      ...(results.some((r) => r.stats.complete && Object.values(r.cells).some((c) => c.vacuous)) ? [`holds* = vacuously: ${VACUOUS_MEANING}`] : []),
      ...(incomplete.length > 0 ? [`unknown = not violated within ${stopWords(incomplete, values)}; not proven`] : []),
      '',
      ...results.map((r) => statsLine(r, timings)),
      ...(reduction === 'por' ? ['', REDUCED_RUN] : reduction === 'views' ? ['', THROUGH_VIEWS] : []),
    ];
    if (values.counterexamples) lines.push('', renderCounterexamples(results));
    if (!preset) lines.push('', 'machines/manifest.json records the preset configurations only: nothing to compare these bounds with.');
    else if (!recorded)
      lines.push('', `machines/manifest.json has no entry for platform ${platform.name} under configuration "${config.name}": nothing to compare these verdicts with.`);
    else if (mismatches.length > 0) lines.push('', `${mismatches.length} result(s)${onPlatform} differ from machines/manifest.json:`);
    else if (nothingDecided)
      lines.push('', `Nothing is proven: the search stopped at ${stopWords(incomplete, values)} before any verdict was reached, so nothing${onPlatform} was compared with machines/manifest.json.`);
    else if (incomplete.length > 0)
      lines.push(
        '',
        `No verdict found${onPlatform} differs from machines/manifest.json, but ${incomplete.map((r) => r.variant).join(', ')} stopped at ${stopWords(incomplete, values)}: ` +
          'their "unknown" cells and state counts are not proven.',
      );
    else lines.push('', `Every verdict${onPlatform} matches machines/manifest.json.`);
    for (const m of mismatches) lines.push(`  ${m.variant} ${m.what}: expected ${m.expected}, found ${m.found}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (incomplete.length > 0) {
    process.stderr.write(
      `amxstate: check stopped at ${stopWords(incomplete, values)} for ${incomplete.map((r) => r.variant).join(', ')} before exploring every state: their unviolated properties are unknown, not proven\n`,
    );
    if (incomplete.some((r) => r.stats.stoppedBy === 'heap-limit')) process.stderr.write(`amxstate: ${heapLimitAdvice()}\n`);
    return mismatches.length === 0 ? EXIT.incomplete : EXIT.mismatch;
  }
  return mismatches.length === 0 ? EXIT.ok : EXIT.mismatch;
}

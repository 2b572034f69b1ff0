// The verdict matrix: every property on every variant under one configuration, held against the
// expected verdicts written down in machines/manifest.json.

import { join } from 'node:path';
import { projectRoot } from '../files.js';
import { VARIANT_NAMES, isVariantName, type VariantName } from '../../machines/variants.js';
import { DEFAULT_PLATFORM, type PlatformProfile } from '../../machines/platform.js';
import { explore, type ExploreStats, type Violation } from '../explore/explore.js';
import { oldGeneration } from '../explore/heap.js';
import type { CounterResult } from '../explore/counter.js';
import { modelOptionsFor, type ExploreConfig } from '../explore/config.js';
import { REDUCTIONS, type Reduction } from '../explore/reduction.js';
import { vacuousUnder, type Property } from '../explore/property.js';
import { PROPERTIES } from '../properties/catalogue.js';
import { modelFor } from '../simulate/simulate.js';
import type { SystemModel } from '../model/system.js';
import { scenarioPlatform, stepToJson, type ScenarioFile } from '../scenario/format.js';
import { describeValue } from '../scenario/describe.js';
import { InputError, isJsonObject, parseJson, readText, sourceName } from '../scenario/read.js';
import { ownEntry } from '../own.js';

export type Verdict = 'holds' | 'violated';

type VerdictTable = Readonly<Record<VariantName, Readonly<Record<string, Verdict>>>>;

export interface ManifestConfig {
  readonly states: Readonly<Partial<Record<VariantName, number>>>;
  /** Cells where this configuration is expected to differ from the top-level verdicts, and why. */
  readonly verdicts?: Partial<Record<VariantName, Readonly<Record<string, Verdict>>>>;
  readonly $why?: string;
}

export interface Manifest {
  readonly $comment?: string;
  readonly configs: Readonly<Record<string, ManifestConfig>>;
  /** The verdicts on the default configuration; other configurations differ only where they say so. */
  readonly verdicts: VerdictTable;
  /**
   * Platforms other than the default one (spr-linux-6.18), by profile name and configuration: their
   * state counts, and the cells where their verdicts differ from the default platform's, and why.
   */
  readonly platforms?: Readonly<Record<string, Readonly<Record<string, ManifestConfig>>>>;
}

export interface Cell {
  readonly verdict: Verdict;
  /** Holds only because the configuration offers none of the ops that could break it. */
  readonly vacuous?: true;
  readonly counterexample?: ScenarioFile;
}

/**
 * A cell as every verdict matrix shows it (check's table and --json, the docs, the report): a "holds"
 * that a search cut off at --max-states could not prove is "unknown".
 */
export interface ShownCell {
  readonly verdict: Verdict | 'unknown';
  readonly vacuous: boolean;
  /** A violated cell's counterexample length. */
  readonly steps?: number;
}

export function shownCell(cell: Cell, complete: boolean): ShownCell {
  const steps = cell.counterexample?.steps.length;
  return { verdict: cell.verdict === 'holds' && !complete ? 'unknown' : cell.verdict, vacuous: cell.vacuous === true, ...(steps !== undefined ? { steps } : {}) };
}

/** What `holds*` means, in the words every matrix's legend uses. */
export const VACUOUS_MEANING = 'the configuration has none of the ops that could break it';

/** What node's heap limit is called where it cut a search short. */
export const HEAP_LIMIT = "node's heap limit";

/**
 * What cut a search short (a search with views, too): the option whose bound it reached,
 * `--max-states` or `--max-memory`, or node's heap limit, which a search stops short of by itself
 * (src/explore/heap.ts).
 */
export function boundOption(stats: Pick<ExploreStats, 'stoppedBy'>): '--max-states' | '--max-memory' | typeof HEAP_LIMIT {
  return stats.stoppedBy === 'max-memory' ? '--max-memory' : stats.stoppedBy === 'heap-limit' ? HEAP_LIMIT : '--max-states';
}

/** What to do about a search that node's heap limit cut short, in one line. */
export function heapLimitAdvice(): string {
  const mib = Math.floor(oldGeneration().limit / 2 ** 20);
  return `node's heap limit (${mib} MiB for its old generation) cut the search short: give node more with NODE_OPTIONS=--max-old-space-size=MiB, or bound the search with --max-states or --max-memory`;
}

/** A matrix cell's words: `violated (N)`, `unknown`, `holds*` (vacuously), `holds`, or `-` where nothing was checked. */
export function verdictWords(cell: ShownCell | undefined): string {
  if (cell === undefined) return '-';
  if (cell.verdict === 'violated') return `violated (${cell.steps ?? '?'})`;
  if (cell.verdict === 'unknown') return 'unknown';
  return cell.vacuous ? 'holds*' : 'holds';
}

/**
 * How check reaches a bounded configuration's verdicts: the explorer's reductions (explore/reduction.ts),
 * or `views`: through the view abstraction, the bounded search judging only what it leaves open
 * (through-views.ts).
 */
export const CHECK_REDUCTIONS = [...REDUCTIONS, 'views'] as const;
export type CheckReduction = (typeof CHECK_REDUCTIONS)[number];

export function isCheckReduction(name: string): name is CheckReduction {
  return (CHECK_REDUCTIONS as readonly string[]).includes(name);
}

/** The view search of a check through views (through-views.ts), as its statistics show it. */
export interface ViewsStats {
  readonly views: number;
  readonly configurations: number;
  readonly transitions: number;
  readonly seconds: number;
  readonly complete: boolean;
  readonly stoppedBy?: ExploreStats['stoppedBy'];
}

/** A view search's result as its statistics show it. */
export function viewsStatsOf(search: Pick<CounterResult, 'stats' | 'configurations'>): ViewsStats {
  const s = search.stats;
  return {
    views: s.states,
    configurations: search.configurations,
    transitions: s.transitions,
    seconds: s.seconds,
    complete: s.complete,
    ...(s.stoppedBy !== undefined ? { stoppedBy: s.stoppedBy } : {}),
  };
}

export interface VariantCheck {
  readonly variant: VariantName;
  /** The name of the platform profile the model ran on. */
  readonly platform: string;
  /** The bounded search's; with `views`, `complete` says whether every verdict is decided (through-views.ts). */
  readonly stats: ExploreStats;
  readonly cells: Readonly<Record<string, Cell>>;
  /** The search was reduced: its state count is not the one the manifest records. */
  readonly reduction?: Exclude<CheckReduction, 'none'>;
  /** With `views`: the view search that proved what holds. */
  readonly views?: ViewsStats;
}

export interface Mismatch {
  readonly variant: VariantName;
  /** A property name, or "states" for the distinct-state count. */
  readonly what: string;
  readonly expected: string;
  readonly found: string;
}

function manifestPath(): string {
  return join(projectRoot(), 'machines', 'manifest.json');
}

/** machines/manifest.json missing, unreadable, malformed or of the wrong shape: one line, exit 2. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** Checks the manifest's shape as it is read, into tables without a prototype (src/own.ts). */
class ManifestReader {
  constructor(private readonly file: string) {}

  private fail(path: string, what: string, found: unknown): ManifestError {
    return new ManifestError(`${this.file}: field "${path}" must be ${what}, got ${describeValue(found)}`);
  }

  /** An object's own entries, each checked by `entry`, as a table without a prototype. */
  table<V>(v: unknown, path: string, entry: (value: unknown, path: string, key: string) => V): Readonly<Record<string, V>> {
    if (!isJsonObject(v)) throw this.fail(path, 'an object', v);
    const out = Object.create(null) as Record<string, V>;
    for (const [k, x] of Object.entries(v)) out[k] = entry(x, `${path}.${k}`, k);
    return out;
  }

  variantKey(path: string, key: string): void {
    if (!isVariantName(key)) throw new ManifestError(`${this.file}: field "${path}" names no variant (one of ${VARIANT_NAMES.join(', ')})`);
  }

  verdicts(v: unknown, path: string): Readonly<Record<string, Readonly<Record<string, Verdict>>>> {
    return this.table(v, path, (byVariant, at, variant) => {
      this.variantKey(at, variant);
      return this.table(byVariant, at, (verdict, cell) => {
        if (verdict !== 'holds' && verdict !== 'violated') throw this.fail(cell, '"holds" or "violated"', verdict);
        return verdict;
      });
    });
  }

  config(v: unknown, path: string): ManifestConfig {
    if (!isJsonObject(v)) throw this.fail(path, 'an object', v);
    const states = this.table(ownEntry(v, 'states'), `${path}.states`, (n, at, variant) => {
      this.variantKey(at, variant);
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw this.fail(at, 'a state count (an integer, 0 or more)', n);
      return n;
    });
    const why = ownEntry(v, '$why');
    if (why !== undefined && typeof why !== 'string') throw this.fail(`${path}.$why`, 'a string', why);
    return {
      states,
      ...(Object.hasOwn(v, 'verdicts') ? { verdicts: this.verdicts(v['verdicts'], `${path}.verdicts`) } : {}),
      ...(why !== undefined ? { $why: why } : {}),
    };
  }

  manifest(json: unknown): Manifest {
    if (!isJsonObject(json)) throw new ManifestError(`${this.file}: must be a JSON object with "configs" and "verdicts", got ${describeValue(json)}`);
    const field = (k: string) => ownEntry(json, k);
    const comment = field('$comment');
    if (comment !== undefined && typeof comment !== 'string') throw this.fail('$comment', 'a string', comment);
    const platforms = field('platforms');
    return {
      ...(comment !== undefined ? { $comment: comment } : {}),
      configs: this.table(field('configs'), 'configs', (c, at) => this.config(c, at)),
      verdicts: this.verdicts(field('verdicts'), 'verdicts') as VerdictTable,
      ...(platforms !== undefined ? { platforms: this.table(platforms, 'platforms', (p, at) => this.table(p, at, (c, cat) => this.config(c, cat))) } : {}),
    };
  }
}

/** machines/manifest.json, read through the shared reader and checked field by field; throws ManifestError. */
export function loadManifest(path = manifestPath()): Manifest {
  const file = path === manifestPath() ? 'machines/manifest.json' : sourceName(path);
  try {
    // The reader's messages name the path as given; the project's own manifest by its project path.
    return new ManifestReader(file).manifest(parseJson(readText(path), file));
  } catch (e) {
    if (e instanceof InputError) throw new ManifestError(e.message.replace(sourceName(path), file));
    throw e;
  }
}

/**
 * A violation as a scenario `simulate` replays. A lasso's cycle follows its prefix once, and the
 * header's `loopsFrom` says that those steps repeat forever.
 */
export function counterexample(variant: VariantName, property: Property, v: Violation, platform: PlatformProfile = DEFAULT_PLATFORM): ScenarioFile {
  const bad = v.steps.length;
  const cycle = v.cycle ?? [];
  const lasso = cycle.length > 0;
  return {
    variant,
    ...scenarioPlatform(platform),
    header: {
      id: `${variant}--${property.name}`,
      question: property.claim,
      expected: lasso
        ? `violates ${property.name}: step ${bad} opens an obligation that ${cycle.length === 1 ? `step ${bad + 1}` : `steps ${bad + 1}-${bad + cycle.length}`}, repeated forever, never meets`
        : `violates ${property.name} at step ${bad}`,
      source: property.source,
      ...(lasso ? { loopsFrom: bad + 1 } : {}),
    },
    steps: [
      ...v.steps.map((s, i) => ({ ...stepToJson(s), ...(i === bad - 1 ? { note: `first bad step: ${property.name} is broken here` } : {}) })),
      ...cycle.map((s) => ({ ...stepToJson(s), note: 'cycle: repeats forever' })),
    ],
  };
}

/** The model a search of `config` runs on: with the options its ops allow (modelOptionsFor). */
export function searchModel(variant: VariantName, platform: PlatformProfile, config: ExploreConfig): SystemModel {
  return modelFor(variant, platform, modelOptionsFor(config));
}

export function checkVariant(
  variant: VariantName,
  config: ExploreConfig,
  options: { maxStates?: number; maxMemoryBytes?: number; properties?: readonly Property[]; onProgress?: (states: number, depth: number) => void; platform?: PlatformProfile; reduction?: Reduction } = {},
): VariantCheck {
  const properties = options.properties ?? PROPERTIES;
  const platform = options.platform ?? DEFAULT_PLATFORM;
  const model = searchModel(variant, platform, config);
  const r = explore(model, config, { properties, ...options });
  const cells = cellsOf(variant, model, config, properties, r.violations, platform);
  return { variant, platform: platform.name, stats: r.stats, cells, ...(options.reduction === 'por' ? { reduction: 'por' as const } : {}) };
}

/** The ops of `config` that `model` has: those a property may be vacuous under (vacuousUnder). */
export function opsIn(model: SystemModel, config: ExploreConfig): string[] {
  return config.ops.map((o) => o.op).filter((op) => model.hasOp(op));
}

/** Each property's cell: violated with its counterexample where the search found a violation, holds (vacuously or not) elsewhere. */
export function cellsOf(variant: VariantName, model: SystemModel, config: ExploreConfig, properties: readonly Property[], violations: ReadonlyMap<string, Violation>, platform: PlatformProfile): Record<string, Cell> {
  const ops = opsIn(model, config);
  const cells: Record<string, Cell> = {};
  for (const p of properties) {
    const v = violations.get(p.name);
    cells[p.name] = v
      ? { verdict: 'violated', counterexample: counterexample(variant, p, v, platform) }
      : { verdict: 'holds', ...(vacuousUnder(p, ops) ? { vacuous: true as const } : {}) };
  }
  return cells;
}

/** Whether the manifest records this platform under this configuration (the default platform: always). */
export function hasManifestEntry(manifest: Manifest, configName: string, platformName: string = DEFAULT_PLATFORM.name): boolean {
  return platformName === DEFAULT_PLATFORM.name || onPlatformEntry(manifest, configName, platformName) !== undefined;
}

/** The manifest's entry for a platform other than the default under a configuration, by own keys only. */
function onPlatformEntry(manifest: Manifest, configName: string, platformName: string): ManifestConfig | undefined {
  const platform = manifest.platforms === undefined ? undefined : ownEntry(manifest.platforms, platformName);
  return platform === undefined ? undefined : ownEntry(platform, configName);
}

/** A verdict table's cell, by own keys only. */
function cellOf(table: Partial<Record<VariantName, Readonly<Record<string, Verdict>>>> | undefined, variant: VariantName, property: string): Verdict | undefined {
  const byVariant = table === undefined ? undefined : ownEntry<Readonly<Record<string, Verdict>> | undefined>(table, variant);
  return byVariant === undefined ? undefined : ownEntry(byVariant, property);
}

/**
 * Where a run differs from the manifest: verdicts (a cut-off run proves no "holds", so only its
 * violations count) and, for complete unreduced runs of a configuration the manifest counts, distinct
 * states.
 * On another platform the manifest's `platforms` entry overrides the cells it lists and gives the
 * state counts; check hasManifestEntry() first, since a platform without an entry has nothing to compare.
 */
export function compareWithManifest(results: readonly VariantCheck[], manifest: Manifest, configName = 'default', platformName: string = DEFAULT_PLATFORM.name): Mismatch[] {
  const config = ownEntry(manifest.configs, configName);
  const onPlatform = platformName === DEFAULT_PLATFORM.name ? undefined : onPlatformEntry(manifest, configName, platformName);
  return results.flatMap((r) => {
    const verdicts = Object.entries(r.cells).flatMap(([property, cell]): Mismatch[] => {
      if (!r.stats.complete && cell.verdict === 'holds') return [];
      // A property the configuration cannot break is expected to hold there, whatever it does elsewhere.
      const expected =
        cellOf(onPlatform?.verdicts, r.variant, property) ??
        cellOf(config?.verdicts, r.variant, property) ??
        (cell.vacuous ? 'holds' : cellOf(manifest.verdicts, r.variant, property)) ??
        'missing';
      return expected === cell.verdict ? [] : [{ variant: r.variant, what: property, expected, found: cell.verdict }];
    });
    const countedStates = platformName === DEFAULT_PLATFORM.name ? config?.states : onPlatform?.states;
    const counted = countedStates === undefined ? undefined : ownEntry<number | undefined>(countedStates, r.variant);
    const states: Mismatch[] =
      r.stats.complete && r.reduction === undefined && counted !== undefined && counted !== r.stats.states
        ? [{ variant: r.variant, what: 'states', expected: String(counted), found: String(r.stats.states) }]
        : [];
    return [...verdicts, ...states];
  });
}

export const ALL_VARIANTS: readonly VariantName[] = VARIANT_NAMES;

// `check --reduction views`: a bounded configuration's verdicts without enumerating its states where
// the view abstraction can prove them. The view search (src/explore/counter.ts) proves that a property
// it finds unbroken holds at every number of threads per process, so under this configuration's thread
// bound too: the bound only takes CLONE_THREAD away at the limit (candidates.ts), so every run of the
// bounded model is a run of the unbounded one, with the same ops, execs, handlers and processes. The
// bounded search then judges only the properties the views leave open (violated in some
// configuration, of infinite behaviour, or all of them where the view search was cut short), and stops
// once each of them is violated. Its order of states does not depend on the properties it judges,
// and the step table answers a step only where its entry's verdict was judged before, so each
// violation it finds is the one the full search finds first: the same shortest counterexample.
// A property the views break but the bound does not (a violation that needs more threads) keeps the
// search going to its end, which then proves it holds under the bound.

import type { VariantName } from '../../machines/variants.js';
import { DEFAULT_PLATFORM, type PlatformProfile } from '../../machines/platform.js';
import { boundedConfig, type ExploreConfig } from '../explore/config.js';
import { exploreCounter, viewsCover } from '../explore/counter.js';
import { explore, type ExploreStats } from '../explore/explore.js';
import { vacuousUnder, type Property } from '../explore/property.js';
import { PROPERTIES } from '../properties/catalogue.js';
import { cellsOf, opsIn, searchModel, viewsStatsOf, type VariantCheck } from './check.js';
import type { OnProgress } from './pool.js';

export interface ThroughViewsOptions {
  /** Bounds each of the two searches: the views, then the states of the bounded search. */
  readonly maxStates?: number;
  readonly maxMemoryBytes?: number;
  readonly properties?: readonly Property[];
  /** Called by the view search (views found), then by the bounded search (states found). */
  readonly onProgress?: OnProgress;
  readonly platform?: PlatformProfile;
}

/**
 * The configuration the views are searched under: `config`, or with several processes, every number
 * of processes, each unit searched apart (units.ts; the views cover one process, or units). A process
 * bound only takes FORK and VFORK away at the limit, as the thread bound takes CLONE_THREAD: what
 * holds for every number of processes holds under the bound.
 */
export function viewsConfig(config: ExploreConfig): ExploreConfig {
  return viewsCover(config) ? config : boundedConfig(config, { processes: Number.POSITIVE_INFINITY });
}

/** The statistics of a bounded search that had nothing to judge: the views proved every property. */
const NOTHING_SEARCHED: ExploreStats = { states: 0, transitions: 0, depth: 0, seconds: 0, statesPerSecond: 0, complete: true };

export function checkVariantThroughViews(variant: VariantName, config: ExploreConfig, options: ThroughViewsOptions = {}): VariantCheck {
  const properties = options.properties ?? PROPERTIES;
  const platform = options.platform ?? DEFAULT_PLATFORM;
  const budget = { ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}), ...(options.maxMemoryBytes !== undefined ? { maxMemoryBytes: options.maxMemoryBytes } : {}) };
  const onProgress = options.onProgress;
  // One model for both searches: its memo tables hold what XState's transition() returned, whichever search asked.
  const model = searchModel(variant, platform, config);
  const views = exploreCounter(model, viewsConfig(config), { ...budget, properties, ...(onProgress !== undefined ? { onProgress: (n: number, depth: number) => onProgress(n, depth, 'views') } : {}) });
  const ops = opsIn(model, config);
  const proven = (p: Property) => vacuousUnder(p, ops) || (views.stats.complete && !views.violations.has(p.name) && !views.unjudged.includes(p.name));
  const open = properties.filter((p) => !proven(p));
  const bounded = open.length === 0 ? undefined : explore(model, config, { ...budget, properties: open, stopWhenAllViolated: true, ...(onProgress !== undefined ? { onProgress } : {}) });
  const searched = bounded?.stats ?? NOTHING_SEARCHED;
  // Stopped once every open property was violated: each verdict is decided; cut by a bound: the unviolated ones are not.
  const decided = searched.complete || searched.stoppedBy === 'all-violated';
  const { stoppedBy: _stoppedBy, ...counts } = searched;
  const stats: ExploreStats = decided ? { ...counts, complete: true } : searched;
  return {
    variant,
    platform: platform.name,
    stats,
    cells: cellsOf(variant, model, config, properties, bounded?.violations ?? new Map(), platform),
    reduction: 'views',
    views: viewsStatsOf(views),
  };
}

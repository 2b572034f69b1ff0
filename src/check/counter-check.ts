// Verdicts for every thread count (`check --threads any`): the view abstraction's search
// (src/explore/counter.ts) over the catalogue, each violation replayed concretely. A property the
// abstraction finds unbroken holds at any number of threads per process; a violation is reported once
// a bounded search with a concrete number of threads finds a counterexample, a scenario `simulate`
// replays. Every configuration the search runs has the group leader and cutoff + 1 other threads at
// most, and is a reachable state (on the ops tested, test/check/counter-check.test.ts), so the
// bounded searches up to replayMaxThreads(cutoff) find each one; a violation they do not reproduce is
// "unknown", never "violated": a replay cut at REPLAY_MAX_STATES, or a configuration no run reaches.

import type { VariantName } from '../../machines/variants.js';
import { DEFAULT_PLATFORM, type PlatformProfile } from '../../machines/platform.js';
import { boundedConfig, type ExploreConfig } from '../explore/config.js';
import { exploreCounter, DEFAULT_CUTOFF, type CounterOptions, type CounterResult } from '../explore/counter.js';
import { explore } from '../explore/explore.js';
import { vacuousUnder, type Property } from '../explore/property.js';
import { PROPERTIES } from '../properties/catalogue.js';
import type { ScenarioFile } from '../scenario/format.js';
import { modelFor } from '../simulate/simulate.js';
import { boundOption, counterexample, opsIn, searchModel } from './check.js';

/**
 * The largest thread count a violation is replayed with: as many as a configuration of the cutoff
 * has (the leader and cutoff + 1 others), and one more, for a witness that has gone (a thread whose
 * small altstack left the leader stuck in a refault, and then exited: test/check/counter-check.test.ts).
 */
export function replayMaxThreads(cutoff: number): number {
  return cutoff + 3;
}
/** The states one replay search may take before it gives up on a candidate. */
export const REPLAY_MAX_STATES = 200_000;

export type AnyThreadsCell =
  | { readonly verdict: 'holds'; readonly vacuous?: true }
  | { readonly verdict: 'violated'; readonly threads: number; readonly counterexample: ScenarioFile }
  | { readonly verdict: 'unknown'; readonly why: string }
  | { readonly verdict: 'not judged'; readonly why: string };

export interface AnyThreadsCheck {
  readonly variant: VariantName;
  readonly platform: string;
  readonly search: Omit<CounterResult, 'violations'>;
  readonly cells: Readonly<Record<string, AnyThreadsCell>>;
}

/** Why a property of infinite behaviour gets no verdict here, in the words the CLI prints. */
export const NOT_JUDGED_WHY = 'a property of infinite behaviour: its lasso needs the concrete states of one run, which views do not keep';

/** The bounded configuration with `threads` threads per process that a candidate is replayed in. */
function replayConfig(config: ExploreConfig, threads: number): ExploreConfig {
  return boundedConfig(config, { threads });
}

/** The first concrete counterexample, with the fewest threads that give one (1 to maxThreads). */
function replay(variant: VariantName, config: ExploreConfig, p: Property, platform: PlatformProfile, maxThreads: number): AnyThreadsCell {
  let cut = false;
  for (let threads = 1; threads <= maxThreads; threads++) {
    const r = explore(searchModel(variant, platform, config), replayConfig(config, threads), { properties: [p], stopWhenAllViolated: true, maxStates: REPLAY_MAX_STATES });
    const v = r.violations.get(p.name);
    if (v) return { verdict: 'violated', threads, counterexample: counterexample(variant, p, v, platform) };
    if (!r.stats.complete) cut = true;
  }
  return {
    verdict: 'unknown',
    why: `the abstraction breaks it, but no run of 1 to ${maxThreads} threads does${cut ? ` within ${REPLAY_MAX_STATES} states` : ': its configuration is no reachable state'}`,
  };
}

export function checkVariantAnyThreads(
  variant: VariantName,
  config: ExploreConfig,
  options: Pick<CounterOptions, 'cutoff' | 'maxStates' | 'maxMemoryBytes' | 'properties' | 'onProgress'> & { readonly platform?: PlatformProfile } = {},
): AnyThreadsCheck {
  const { platform: chosenPlatform, ...searchOptions } = options;
  const properties = options.properties ?? PROPERTIES;
  const platform = chosenPlatform ?? DEFAULT_PLATFORM;
  const model = searchModel(variant, platform, config);
  const cutoff = options.cutoff ?? DEFAULT_CUTOFF;
  const { violations, ...search } = exploreCounter(model, config, { ...searchOptions, cutoff, properties });
  const ops = opsIn(model, config);
  const cells: Record<string, AnyThreadsCell> = {};
  for (const p of properties) {
    const vacuous = vacuousUnder(p, ops);
    // A property the configuration's ops cannot break holds at every N, of infinite behaviour or not.
    if (search.unjudged.includes(p.name) && !vacuous) cells[p.name] = { verdict: 'not judged', why: NOT_JUDGED_WHY };
    else if (violations.has(p.name)) cells[p.name] = replay(variant, config, p, platform, replayMaxThreads(cutoff));
    else if (!search.stats.complete) cells[p.name] = { verdict: 'unknown', why: `the search stopped at ${boundOption(search.stats)} before it found every view` };
    else cells[p.name] = { verdict: 'holds', ...(vacuous ? { vacuous: true as const } : {}) };
  }
  return { variant, platform: platform.name, search, cells };
}

/** A cell's words in the matrix: `holds`, `holds*`, `violated (S steps, N threads)`, `unknown`, `not judged`. */
export function anyThreadsWords(cell: AnyThreadsCell | undefined): string {
  if (cell === undefined) return '-';
  switch (cell.verdict) {
    case 'holds':
      return cell.vacuous ? 'holds*' : 'holds';
    case 'violated':
      return `violated (${cell.counterexample.steps.length}, ${cell.threads} thread${cell.threads === 1 ? '' : 's'})`;
    default:
      return cell.verdict;
  }
}

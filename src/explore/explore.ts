// Breadth-first exploration of the system model under a configuration, checking every property on
// every transition. BFS order gives each violated property a shortest counterexample (in steps);
// symmetry (canonical.ts) makes the search complete up to renaming of threads and processes.

import type { ChartStepTrace, TraceOwner } from '../model/chart.js';
import type { Observation } from '../model/observation.js';
import type { NextResult, SystemModel } from '../model/system.js';
import type { SystemState } from '../model/state.js';
import type { Step } from '../scenario/format.js';
import { candidates, execsAfter, prepareChoices, type Candidate, type SearchPoint } from './candidates.js';
import { CanonicalCodes } from './canonical.js';
import { requireModelFor, type ExploreConfig } from './config.js';
import { cycleOf } from './lasso.js';
import { heapNearlyFull } from './heap.js';
import { StateKeySet } from './key-set.js';
import { StateStore } from './store.js';
import { StepPropertiesByOp, type LivenessProperty, type Property, type SafetyProperty, type Transition } from './property.js';
import { AmpleSets, type Reduction, type Whither } from './reduction.js';
import { TableAnswers } from './table-answers.js';
import { everyProcessCount, unitsOf } from './units.js';

type NextStep = Extract<NextResult, { ok: true }>;

export const MAIN_TASK = 'main';

/** How many states the search takes from its queue between two onProgress calls. */
export const PROGRESS_EVERY = 1024;

export interface ExploreStats {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly complete: boolean;
  /** What stopped an incomplete search; absent when it is complete. */
  readonly stoppedBy?: StopReason;
}

export interface Violation {
  readonly property: string;
  /**
   * The path from the initial state; the last step is the first bad one: for a property
   * "eventually", the step that opened the obligation the cycle never meets.
   */
  readonly steps: readonly Step[];
  readonly observation: Observation;
  /** For a property "eventually": steps after `steps` that lead back to the same state, forever (a lasso). */
  readonly cycle?: readonly Step[];
}

export interface ExploreResult {
  readonly stats: ExploreStats;
  readonly violations: ReadonlyMap<string, Violation>;
  /**
   * Of the transitions, those the step table answered without making them: a step an entry holds,
   * judged before, to a state seen before (table-answers.ts).
   */
  readonly fromTable: number;
  /** Of those, the steps of entries that leave the state as it was, counted without a key (table-answers.ts, STAYS). */
  readonly fromTableStaying: number;
}

/** One transition of the search, as onTransition sees it. */
export interface ExploredTransition {
  /** The shortest path to it: the BFS path to its source state, then its step. */
  readonly path: () => Step[];
  readonly step: Step;
  readonly trace: readonly ChartStepTrace[];
  readonly owners: readonly TraceOwner[];
  /** The node index of its source state (0 is the initial state). */
  readonly from: number;
  /** The node index of its target state, when the search kept it: a new one, or one seen before under symmetry. */
  readonly to: number | undefined;
  /** Whether the target state is new, so that node `to` is exactly `after` (same task names). */
  readonly fresh: boolean;
  readonly after: SystemState;
}

export interface ExploreOptions {
  readonly maxStates?: number;
  /**
   * Stop once the memory in use (memoryInUse: the heap and the typed arrays) passes this many bytes,
   * looked at every PROGRESS_EVERY states (so it may pass it by what those states take): a search cut
   * off like maxStates.
   */
  readonly maxMemoryBytes?: number;
  /**
   * Stop once this process has used this many CPU seconds since the search began, looked at like
   * maxMemoryBytes (the benchmark's series: CPU time, since the machine may be shared).
   */
  readonly maxCpuSeconds?: number;
  readonly properties?: readonly Property[];
  /** Stop as soon as every property is violated (mutation tests): the statistics are then partial. */
  readonly stopWhenAllViolated?: boolean;
  /**
   * Called every PROGRESS_EVERY states taken from the queue, with the states found so far and the
   * current depth. Often enough for a time-based progress line (the caller decides what to show
   * when); it never changes the search.
   */
  readonly onProgress?: (states: number, depth: number) => void;
  /** Called for every transition taken, in BFS order: `path()` rebuilds its steps (test-path generation). */
  readonly onTransition?: (t: ExploredTransition) => void;
  /** Called for every distinct state found (xstate/graph agreement, tests). */
  readonly onState?: (key: string, state: SystemState) => void;
  /**
   * `por`: partial-order reduction (reduction.ts): from a state, the steps of one thread whose steps
   * are all private, unless the cycle proviso asks for every candidate. The verdicts are those of
   * `none`; the states, transitions and counterexamples are those of the smaller search. Default `none`.
   */
  readonly reduction?: Reduction;
  /**
   * Make and judge every transition, also one the step table holds whose entry was judged before
   * (tests: judging each entry once changes no verdict). The states, transitions and verdicts are
   * the same; the search is slower.
   */
  readonly judgeEveryTransition?: boolean;
}

/** The candidates whose steps an ample set chose (all of them when it chose none). */
function chosen(offered: readonly Candidate[], ample: readonly Step[] | undefined): readonly Candidate[] {
  if (ample === undefined) return offered;
  const steps = new Set(ample);
  return offered.filter((c) => steps.has(c.step));
}

/** A violation found on the step out of state `i`, with the observation simulate would print for it. */
function violation(model: SystemModel, store: StateStore, i: number, p: Property, step: Step): Violation {
  const steps = [...store.pathTo(i), step];
  return { property: p.name, steps, observation: lastObservation(model, steps, p) };
}

/**
 * The observation of a path's last step, the path run from the initial state: what `simulate` prints
 * for it. (A search by units keeps each unit apart; the run has every process its path made.)
 */
function lastObservation(model: SystemModel, steps: readonly Step[], p: Property): Observation {
  let state = model.initial(MAIN_TASK);
  let observation: Observation | undefined;
  for (const [n, step] of steps.entries()) {
    const r = model.step(state, step, n + 1);
    if (!r.ok) throw new Error(`explorer: step ${n + 1} of a counterexample for ${p.name} no longer runs: ${r.error}`);
    state = r.state;
    observation = r.observation;
  }
  if (observation === undefined) throw new Error(`explorer: a counterexample for ${p.name} has no step`);
  return observation;
}

/**
 * A cycle that keeps an obligation of `p` open forever from `node`, for the first task with one that
 * has such a cycle. Judged on each state once, when the search first reaches it: its prefix is then
 * a shortest one.
 */
function lassoFrom(model: SystemModel, config: ExploreConfig, p: LivenessProperty, node: SearchPoint): Step[] | undefined {
  for (const task of p.open(node.state)) {
    const cycle = cycleOf(model, config, node, task, (s) => p.open(s).includes(task));
    if (cycle) return cycle;
  }
  return undefined;
}

/** A transition as onTransition sees it, built only for a caller that asks: most end in a state seen before. */
function exploredTransition(store: StateStore, from: number, step: Step, r: NextStep, after: SystemState, to: number | undefined, fresh: boolean): ExploredTransition {
  return { path: () => [...store.pathTo(from), step], step, trace: r.trace, owners: r.owners, from, to, fresh, after };
}

/**
 * What cut a search short: a bound of its options, node's heap limit (heap.ts), or every
 * property violated (stopWhenAllViolated).
 */
export type StopReason = 'max-states' | 'max-memory' | 'max-cpu-seconds' | 'heap-limit' | 'all-violated';

export function explore(model: SystemModel, config: ExploreConfig, options: ExploreOptions = {}): ExploreResult {
  requireModelFor(model, config);
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const properties = options.properties ?? [];
  // Only the properties not yet violated are judged: the lists shrink as violations are found.
  let stateProperties = properties.filter((p): p is SafetyProperty => p.kind === 'state');
  let livenessProperties = properties.filter((p): p is LivenessProperty => p.kind === 'eventually');
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const initial = model.initial(MAIN_TASK);
  const store = new StateStore();
  store.add(initial, -1, null, 0, 0, 1);
  // The key of the state last written: scratch space, written before each look-up in `seen`.
  const key = new CanonicalCodes();
  const seen = new StateKeySet();
  key.write(model, initial, 0);
  seen.add(key);
  options.onState?.(key.text(), initial);
  const violations = new Map<string, Violation>();
  const unviolated = <P extends Property>(ps: P[]): P[] => ps.filter((p) => !violations.has(p.name));
  const stepProperties = new StepPropertiesByOp(properties.filter((p): p is SafetyProperty => p.kind === 'step'), violations);
  const onTransition = options.onTransition;
  let transitions = 0;
  let fromTable = 0;
  let depth = 0;
  let stoppedBy: StopReason | undefined;
  const ampleSets = options.reduction === 'por' ? new AmpleSets(model, config) : undefined;
  const choices = prepareChoices(model, config);
  // Every number of processes: each unit of processes searched apart (units.ts).
  const byUnits = everyProcessCount(config.maxProcesses);
  if (byUnits && ampleSets !== undefined) throw new RangeError('explorer: the partial-order reduction does not combine with the search by units (every number of processes)');
  // The step table's answers without a step (table-answers.ts). Off where every transition must be
  // made: for onTransition, and where judgeEveryTransition asks. (In a search by units every state
  // kept is one unit, and a step the table holds changes no vfork relation: the state after it is that
  // unit, and the process it made, if any, a unit apart.)
  const tableAnswers = onTransition === undefined && options.judgeEveryTransition !== true ? new TableAnswers(model, key, seen, byUnits, stepProperties, true) : undefined;
  // The cycle proviso, for a breadth-first search: an ample set may not lead back to a state found at
  // its own depth or before, and must leave the state; so every cycle of the reduced graph has a fully
  // expanded state (docs/checking.md, Partial-order reduction).
  const whither = (point: SearchPoint, i: number, pointDepth: number, step: Step): Whither => {
    const r = model.next(point.state, step);
    if (!r.ok) return 'disabled';
    key.write(model, r.state, point.execs);
    const known = seen.find(key);
    return known === i ? 'stays' : known >= 0 && store.depth(known) <= pointDepth ? 'back' : 'ahead';
  };
  /**
   * Takes `after`, a state the transition reached (a unit of it, in a search by units): stores it
   * when new, and judges it by the invariants and the lassos; false once the search must stop.
   */
  const reach = (i: number, here: SearchPoint, hereDepth: number, transition: Transition, r: NextStep, after: SystemState, execs: number, created: number): boolean => {
    key.write(model, after, execs);
    const known = seen.find(key);
    if (known >= 0) {
      onTransition?.(exploredTransition(store, i, transition.step, r, after, known, false));
      return true;
    }
    // An invariant depends on the state alone, and isomorphic states agree on it: judging each state
    // once, on the BFS-first path that reaches it, keeps its counterexample shortest.
    const judged = after === transition.after ? transition : { ...transition, after };
    const violatedBefore = violations.size;
    for (const p of stateProperties) if (!p.holds(judged)) violations.set(p.name, violation(model, store, i, p, transition.step));
    for (const p of livenessProperties) {
      const lasso = lassoFrom(model, config, p, { state: after, execs, nextId: here.nextId + created });
      if (lasso) violations.set(p.name, { ...violation(model, store, i, p, transition.step), cycle: lasso });
    }
    if (violations.size !== violatedBefore) {
      stateProperties = unviolated(stateProperties);
      livenessProperties = unviolated(livenessProperties);
    }
    if (store.size >= maxStates) {
      onTransition?.(exploredTransition(store, i, transition.step, r, after, undefined, false));
      stoppedBy = 'max-states';
      return false;
    }
    // The properties judged above write no key of this search's: `key` still holds the new state's.
    const to = store.add(after, i, transition.step, hereDepth + 1, execs, here.nextId + created);
    if (seen.add(key) !== to) throw new Error('explorer: the table of seen states and the state store disagree');
    options.onState?.(key.text(), after);
    onTransition?.(exploredTransition(store, i, transition.step, r, after, to, true));
    return true;
  };
  for (let i = 0; i < store.size && stoppedBy === undefined; i++) {
    const state = store.state(i);
    const here: SearchPoint = { state, execs: store.execs(i), nextId: store.nextId(i) };
    const hereDepth = store.depth(i);
    depth = Math.max(depth, hereDepth);
    if (i % PROGRESS_EVERY === 0) {
      options.onProgress?.(store.size, hereDepth);
      stoppedBy = beyondBudget(options, cpuAtStart);
      if (stoppedBy !== undefined) break;
    }
    const offered = candidates(model, config, here, choices);
    const taken = ampleSets === undefined ? offered : chosen(offered, ampleSets.choose(here, offered.map((c) => c.step), (step) => whither(here, i, hereDepth, step)));
    for (const { step, kind, creates } of taken) {
      const entry = tableAnswers?.entryOf(state, step, kind);
      // A step the table answers: counted, and nothing more (table-answers.ts).
      if (entry !== undefined && tableAnswers!.answers(step, entry, here.execs)) {
        transitions++;
        fromTable++;
        continue;
      }
      // The step, replaying the entry found above if there is one (a group end, a new state, or an entry not judged yet).
      const r = entry !== undefined ? tableAnswers!.replay(step, entry) : model.next(state, step);
      if (!r.ok) continue;
      transitions++;
      const transition: Transition = { before: state, step, observation: r.outcome, after: r.state, model };
      for (const p of stepProperties.of(step.op).judge) if (!p.holds(transition)) violations.set(p.name, violation(model, store, i, p, step));
      if (entry !== undefined) tableAnswers?.markJudged(step, entry);
      const created = creates ? 1 : 0;
      const execs = execsAfter(here.execs, step, r.outcome);
      if (byUnits) {
        for (const unit of unitsOf(r.state)) if (!reach(i, here, hereDepth, transition, r, unit, execs, created)) break;
      } else reach(i, here, hereDepth, transition, r, r.state, execs, created);
      if (stoppedBy !== undefined) break;
    }
    // Its paths live on in the parent column; a counterexample through it replays them.
    store.release(i);
    if (stoppedBy === undefined && options.stopWhenAllViolated && violations.size === properties.length) stoppedBy = 'all-violated';
  }
  const seconds = (performance.now() - started) / 1000;
  const states = store.size;
  // V8 can keep this call's context, and so the tables its closures share, alive after it returns (seen
  // held by a handle after a search that stopped at the heap limit, its frontier unexpanded): the next
  // search in the same thread then started with no room. Emptied here, they hold nothing.
  store.clear();
  seen.clear();
  return {
    stats: {
      states,
      transitions,
      depth,
      seconds,
      statesPerSecond: Math.round(states / Math.max(seconds, 1e-9)),
      complete: stoppedBy === undefined,
      ...(stoppedBy !== undefined ? { stoppedBy } : {}),
    },
    violations,
    fromTable,
    fromTableStaying: tableAnswers?.staying ?? 0,
  };
}

/**
 * The memory a search holds, as maxMemoryBytes counts it: the JavaScript heap, and the memory of
 * ArrayBuffers, which lies outside the heap. The seen table and the columns of the store are typed
 * arrays: counting the heap alone, a bounded search could hold far more than its bound.
 */
export function memoryInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * A bound on memory or time a search has gone past (this one's, and the view search's), looked at
 * every PROGRESS_EVERY states: its options' bounds, and always node's heap limit (heap.ts).
 */
export function beyondBudget(options: Pick<ExploreOptions, 'maxMemoryBytes' | 'maxCpuSeconds'>, cpuAtStart: NodeJS.CpuUsage): StopReason | undefined {
  if (options.maxMemoryBytes !== undefined && memoryInUse() > options.maxMemoryBytes) return 'max-memory';
  if (options.maxCpuSeconds !== undefined) {
    const used = process.cpuUsage(cpuAtStart);
    if ((used.user + used.system) / 1e6 > options.maxCpuSeconds) return 'max-cpu-seconds';
  }
  return heapNearlyFull() ? 'heap-limit' : undefined;
}

// Breadth-first exploration of the system model under a configuration, checking every property on
// every transition. BFS order gives each violated property a shortest counterexample (in steps);
// symmetry (canonical.ts) makes the search complete up to renaming of threads and processes.

import type { ChartStepTrace, TraceOwner } from '../model/chart.js';
import type { Observation } from '../model/observation.js';
import type { SystemModel } from '../model/system.js';
import type { SystemState } from '../model/state.js';
import { opSpec } from '../../machines/kernel-events.js';
import type { Step } from '../scenario/format.js';
import { candidateSteps, type SearchPoint } from './candidates.js';
import { canonicalKey } from './canonical.js';
import type { ExploreConfig } from './config.js';
import { cycleOf } from './lasso.js';
import type { LivenessProperty, Property, SafetyProperty, Transition } from './property.js';
import { AmpleSets, type Reduction, type Whither } from './reduction.js';

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
}

interface Node {
  readonly state: SystemState;
  readonly parent: number;
  readonly step: Step | null;
  readonly depth: number;
  readonly execs: number;
  readonly nextId: number;
}

function pathTo(nodes: readonly Node[], index: number): Step[] {
  const steps: Step[] = [];
  for (let i = index; i > 0; i = nodes[i]!.parent) steps.push(nodes[i]!.step!);
  return steps.reverse();
}

/** A violation found on the step out of node `i`, with the observation simulate would print for it. */
function violation(model: SystemModel, nodes: readonly Node[], i: number, p: Property, step: Step): Violation {
  const steps = [...pathTo(nodes, i), step];
  const r = nodes[i]!.state;
  const replayed = model.step(r, step, steps.length);
  if (!replayed.ok) throw new Error(`explorer: step ${steps.length} of a counterexample for ${p.name} no longer runs: ${replayed.error}`);
  return { property: p.name, steps, observation: replayed.observation };
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

export function explore(model: SystemModel, config: ExploreConfig, options: ExploreOptions = {}): ExploreResult {
  const started = performance.now();
  const properties = options.properties ?? [];
  const stepProperties = properties.filter((p): p is SafetyProperty => p.kind === 'step');
  const stateProperties = properties.filter((p): p is SafetyProperty => p.kind === 'state');
  const livenessProperties = properties.filter((p): p is LivenessProperty => p.kind === 'eventually');
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const initial = model.initial(MAIN_TASK);
  const nodes: Node[] = [{ state: initial, parent: -1, step: null, depth: 0, execs: 0, nextId: 1 }];
  const seen = new Map<string, number>([[canonicalKey(model, initial, 0), 0]]);
  options.onState?.(canonicalKey(model, initial, 0), initial);
  const violations = new Map<string, Violation>();
  const ampleSets = options.reduction === 'por' ? new AmpleSets(model, config) : undefined;
  let transitions = 0;
  let depth = 0;
  let complete = true;
  // The cycle proviso, for a breadth-first search: an ample set may not lead back to a state found at
  // its own depth or before, and must leave the state; so every cycle of the reduced graph has a fully
  // expanded state (docs/checking.md, Partial-order reduction).
  const whither = (node: Node, i: number, step: Step): Whither => {
    const r = model.next(node.state, step);
    if (!r.ok) return 'disabled';
    const known = seen.get(canonicalKey(model, r.state, node.execs));
    return known === i ? 'stays' : known !== undefined && nodes[known]!.depth <= node.depth ? 'back' : 'ahead';
  };
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    depth = Math.max(depth, node.depth);
    if (options.onProgress && i % PROGRESS_EVERY === 0) options.onProgress(nodes.length, node.depth);
    const candidates = candidateSteps(model, config, node);
    const steps = ampleSets === undefined ? candidates : (ampleSets.choose(node, candidates, (step) => whither(node, i, step)) ?? candidates);
    for (const step of steps) {
      const r = model.next(node.state, step);
      if (!r.ok) continue;
      transitions++;
      const transition: Transition = { before: node.state, step, observation: r.outcome, after: r.state, model };
      for (const p of stepProperties) if (!violations.has(p.name) && !p.holds(transition)) violations.set(p.name, violation(model, nodes, i, p, step));
      const created = opSpec(step.op)?.creates !== undefined ? 1 : 0;
      const execs = node.execs + (step.op === 'EXEC' && r.outcome.outcome === 'ok' ? 1 : 0);
      const key = canonicalKey(model, r.state, execs);
      const known = seen.get(key);
      const explored = (to: number | undefined): ExploredTransition => ({
        path: () => [...pathTo(nodes, i), step],
        step,
        trace: r.trace,
        owners: r.owners,
        from: i,
        to,
        fresh: known === undefined && to !== undefined,
        after: r.state,
      });
      if (known !== undefined) {
        options.onTransition?.(explored(known));
        continue;
      }
      // An invariant depends on the state alone, and isomorphic states agree on it: judging each state
      // once, on the BFS-first path that reaches it, keeps its counterexample shortest.
      for (const p of stateProperties) if (!violations.has(p.name) && !p.holds(transition)) violations.set(p.name, violation(model, nodes, i, p, step));
      for (const p of livenessProperties) {
        if (violations.has(p.name)) continue;
        const lasso = lassoFrom(model, config, p, { state: r.state, execs, nextId: node.nextId + created });
        if (lasso) violations.set(p.name, { ...violation(model, nodes, i, p, step), cycle: lasso });
      }
      if (nodes.length >= maxStates) {
        options.onTransition?.(explored(undefined));
        complete = false;
        break;
      }
      seen.set(key, nodes.length);
      options.onState?.(key, r.state);
      nodes.push({ state: r.state, parent: i, step, depth: node.depth + 1, execs, nextId: node.nextId + created });
      options.onTransition?.(explored(nodes.length - 1));
    }
    if (!complete) break;
    if (options.stopWhenAllViolated && violations.size === properties.length) {
      complete = false;
      break;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    stats: { states: nodes.length, transitions, depth, seconds, statesPerSecond: Math.round(nodes.length / Math.max(seconds, 1e-9)), complete },
    violations,
  };
}

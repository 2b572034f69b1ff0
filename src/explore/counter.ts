// Verdicts for every number of threads: the view abstraction (a counter abstraction whose cutoff is
// the size of a view), after Abdulla, Haziza and Holík, "Parameterized verification through view
// abstraction" (STTT 2016).
//
// A view is a small state: the memory, the execs so far, every live process with its chart state,
// and of each process's threads (running ones and a zombie leader: the thread list) at most k (the cutoff), a sub-multiset of its thread classes
// (a class is what the rules can tell threads apart by: the task chart snapshot, the suspended and the
// stuck marks). A concrete state of any size is represented by all its views. The search computes
// a set V of views closed under this step: every configuration with k+1 threads in one process whose
// k-thread views are all in V (and every view, as a configuration of its own) takes every step the
// concrete model allows, and every view of each result joins V. The model's own step function runs
// on each configuration; nothing is re-encoded.
//
// Why that covers every N (docs/checking.md, "Every thread count"): a rule reads other threads only by
// sending every live thread the same event, or through one witness whose presence makes the request
// fail and change nothing but the acting thread (validate_sigaltstack). So a step of a concrete state
// acts on any k threads of it as it acts on a configuration made of them and the actor, which V holds;
// by induction every view of every reachable state, at any thread count, is in V. The set is an
// over-approximation: a property no configuration's step breaks holds at every N, and a violation
// found here is only a candidate, replayed concretely by the caller (src/check/counter-check.ts).

import { hasLargeBuffer, isGroupLeader, onThreadList, type ProcessSlot, type SystemState, type TaskSlot } from '../model/state.js';
import type { Outcome } from '../model/observation.js';
import type { SystemModel } from '../model/system.js';
import type { Step } from '../scenario/format.js';
import { candidateSteps } from './candidates.js';
import { canonicalKey } from './canonical.js';
import type { ExploreConfig } from './config.js';
import { MAIN_TASK, PROGRESS_EVERY, type ExploreStats } from './explore.js';
import type { Property, SafetyProperty, Transition } from './property.js';

/** The cutoff `check --threads any` uses: views of one thread per process, configurations of two. */
export const DEFAULT_CUTOFF = 1;

export interface CounterOptions {
  /** Threads per process in a view; configurations have one more. At least 1. */
  readonly cutoff?: number;
  readonly properties?: readonly Property[];
  /** Stop after this many views (the search is then incomplete). */
  readonly maxStates?: number;
  readonly onProgress?: (views: number, depth: number) => void;
  /** Called for every configuration the search runs (tests: is each one a state some concrete run reaches?). */
  readonly onConfiguration?: (state: SystemState, execs: number) => void;
}

/** A step of a configuration that breaks a property: a candidate for a concrete counterexample. */
export interface AbstractViolation {
  readonly property: string;
  readonly step: Step;
  readonly observation: Outcome;
  /** The configuration the step ran in; its task names are its own. */
  readonly configuration: SystemState;
}

export interface CounterResult {
  readonly cutoff: number;
  /** `states` counts views; `transitions` the steps of configurations the model accepted; `depth` the longest chain of views. */
  readonly stats: ExploreStats;
  readonly configurations: number;
  readonly violations: ReadonlyMap<string, AbstractViolation>;
  /** Properties the abstraction does not judge (of infinite behaviour), by name. */
  readonly unjudged: readonly string[];
}

/** A live thread's class: what views count, and all the rules can tell threads apart by. */
function classOf(model: SystemModel, t: TaskSlot): string {
  return (t.suspended ? 'S' : '') + (t.stuckOn !== null ? `H${t.stuckOn.key}` : '') + String(model.task.id(t.snapshot));
}

function byClass<T>(a: readonly [string, T], b: readonly [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** A process of a view: its slot (threads renamed later) and its threads' classes, sorted. */
interface ViewProcess {
  readonly process: ProcessSlot;
  readonly threads: readonly (readonly [string, TaskSlot])[];
}

interface View {
  readonly memory: SystemState['memory'];
  readonly execs: number;
  readonly processes: readonly ViewProcess[];
  readonly key: string;
  readonly depth: number;
}

function processPart(model: SystemModel, vp: ViewProcess, hole = false): string {
  return `${vp.process.vforkParent !== null ? 'V' : ''}${model.process.id(vp.process.snapshot)}${hole ? '*' : ''}[${vp.threads.map(([c]) => c).join(',')}]`;
}

function keyOf(model: SystemModel, memory: string, execs: number, processes: readonly ViewProcess[], hole = -1): string {
  return `${memory}|${execs}|${processes
    .map((vp, i) => processPart(model, vp, i === hole))
    .sort()
    .join('|')}`;
}

/** The sub-multisets of 1..k of a sorted list of classed threads, each once. */
function subMultisets<T>(threads: readonly (readonly [string, T])[], k: number): (readonly (readonly [string, T])[])[] {
  const out: (readonly (readonly [string, T])[])[] = [];
  const pick = (from: number, chosen: (readonly [string, T])[]) => {
    if (chosen.length > 0) out.push([...chosen]);
    if (chosen.length === k) return;
    for (let i = from; i < threads.length; i++) {
      // Equal classes are interchangeable: skip a class equal to the one just passed over.
      if (i > from && threads[i]![0] === threads[i - 1]![0]) continue;
      chosen.push(threads[i]!);
      pick(i + 1, chosen);
      chosen.pop();
    }
  };
  pick(0, []);
  return out;
}

function product<T>(lists: readonly (readonly T[])[]): T[][] {
  return lists.reduce<T[][]>((acc, l) => acc.flatMap((prefix) => l.map((x) => [...prefix, x])), [[]]);
}

/** A view (or a configuration) as a state the model steps: threads named t0, t1, ...; counters restarted from its live large buffers. */
function stateOf(view: Pick<View, 'memory' | 'processes'>): SystemState {
  // Threads put together from two views may share a name: each gets a new one, the first of a name keeps it for the vfork relation.
  const names = new Map<string, string>();
  let count = 0;
  let large = 0;
  const processes = view.processes.map((vp) => ({
    ...vp.process,
    tasks: vp.threads.map(([, t]) => {
      const name = `t${count++}`;
      if (!names.has(t.name)) names.set(t.name, name);
      if (hasLargeBuffer(t)) large++;
      return { ...t, name };
    }),
  }));
  return {
    memory: view.memory,
    // The vfork parent may be left out of the view: the child still waits to release someone.
    processes: processes.map((p) => (p.vforkParent === null ? p : { ...p, vforkParent: names.get(p.vforkParent) ?? 'vfork-parent' })),
    buffers: { allocated: large, freed: 0, leaked: 0 },
  };
}

/** Every view of a concrete state: per live process a sub-multiset of 1..k of the threads on its thread list. */
function viewsOf(model: SystemModel, s: SystemState, execs: number, k: number, depth: number): View[] {
  const perProcess = s.processes
    .map((p) => ({ p, threads: p.tasks.filter(onThreadList).map((t) => [classOf(model, t), t] as const).sort(byClass) }))
    .filter(({ threads }) => threads.length > 0)
    .map(({ p, threads }) => subMultisets(threads, k).map((sub): ViewProcess => ({ process: p, threads: sub })));
  return product(perProcess).map((processes) => ({ memory: s.memory, execs, processes, key: keyOf(model, s.memory, execs, processes), depth }));
}

/** The view with thread `ti` of process `pi` left out: where views that differ in that one thread meet. */
function contextKey(model: SystemModel, v: View, pi: number, ti: number): string {
  const processes = v.processes.map((vp, i) => (i === pi ? { ...vp, threads: vp.threads.filter((_, j) => j !== ti) } : vp));
  return keyOf(model, v.memory, v.execs, processes, pi);
}

function withThread(v: View, pi: number, thread: readonly [string, TaskSlot]): ViewProcess[] {
  return v.processes.map((vp, i) => (i === pi ? { ...vp, threads: [...vp.threads, thread].sort(byClass) } : vp));
}

/**
 * The premise of the abstraction, checked on every step it takes: threads of one class that do not act
 * are treated alike (the same event, so the same next class). A rule that broke it would make a count
 * stand for threads that differ, so the search stops rather than give a verdict.
 */
function checkUniform(model: SystemModel, before: SystemState, step: Step, after: SystemState): void {
  const now = new Map<string, TaskSlot>();
  for (const p of after.processes) for (const t of p.tasks) now.set(t.name, t);
  for (const p of before.processes) {
    const fate = new Map<string, string>();
    for (const t of p.tasks) {
      if (t.name === step.task || !onThreadList(t)) continue;
      const a = now.get(t.name);
      const next = a === undefined || !onThreadList(a) ? 'dead' : classOf(model, a);
      const k = classOf(model, t);
      const seen = fate.get(k);
      if (seen === undefined) fate.set(k, next);
      else if (seen !== next) throw new Error(`counter abstraction: ${step.op} treats two threads of class ${k} differently, so no count can stand for them`);
    }
  }
}

/** Breadth-first computation of the views of `model` under `config`, whose thread bound it ignores. */
export function exploreCounter(model: SystemModel, config: ExploreConfig, options: CounterOptions = {}): CounterResult {
  const started = performance.now();
  const k = options.cutoff ?? DEFAULT_CUTOFF;
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`counter abstraction: the cutoff must be an integer of at least 1, got ${k}`);
  const unbounded: ExploreConfig = { ...config, maxThreadsPerProcess: Number.POSITIVE_INFINITY };
  const properties = options.properties ?? [];
  const safety = properties.filter((p): p is SafetyProperty => p.kind !== 'eventually');
  const stepProperties = safety.filter((p) => p.kind === 'step');
  const stateProperties = safety.filter((p) => p.kind === 'state');
  /** The concrete states the configurations' steps reached, by canonical key. */
  const states = new Set<string>();
  const maxViews = options.maxStates ?? Number.POSITIVE_INFINITY;
  const views = new Map<string, View>();
  const queue: View[] = [];
  /** By context (a view less one thread): the threads that complete it to a view of V. */
  const completions = new Map<string, Map<string, readonly [string, TaskSlot]>>();
  const configurations = new Set<string>();
  const violations = new Map<string, AbstractViolation>();
  let transitions = 0;
  let depth = 0;
  let complete = true;
  const judge = (ps: readonly SafetyProperty[], t: Transition, configuration: SystemState): void => {
    for (const p of ps) if (!violations.has(p.name) && !p.holds(t)) violations.set(p.name, { property: p.name, step: t.step, observation: t.observation, configuration });
  };

  const add = (v: View): void => {
    if (views.has(v.key)) return;
    if (views.size >= maxViews) {
      complete = false;
      return;
    }
    views.set(v.key, v);
    queue.push(v);
    v.processes.forEach((vp, pi) =>
      vp.threads.forEach((thread, ti) => {
        const ctx = contextKey(model, v, pi, ti);
        let known = completions.get(ctx);
        if (!known) completions.set(ctx, (known = new Map()));
        known.set(thread[0], thread);
      }),
    );
  };

  const run = (memory: SystemState['memory'], execs: number, processes: readonly ViewProcess[], depthNow: number): void => {
    const key = keyOf(model, memory, execs, processes);
    if (configurations.has(key)) return;
    configurations.add(key);
    const s = stateOf({ memory, processes });
    options.onConfiguration?.(s, execs);
    const fresh = processes.reduce((n, vp) => n + vp.threads.length, 0);
    const taken = new Set<string>();
    const stuck = new Map(s.processes.flatMap((p) => p.tasks.filter((t) => t.stuckOn !== null).map((t) => [t.name, t] as const)));
    for (const step of candidateSteps(model, unbounded, { state: s, execs, nextId: fresh })) {
      // Copies of one stuck class each offer the same step (the others are one per class already): take it once.
      if (stuck.has(step.task ?? '')) {
        const choice = `${classOf(model, stuck.get(step.task!)!)}|${step.op}`;
        if (taken.has(choice)) continue;
        taken.add(choice);
      }
      const r = model.next(s, step);
      if (!r.ok) continue;
      transitions++;
      checkUniform(model, s, step, r.state);
      const t: Transition = { before: s, step, observation: r.outcome, after: r.state, model };
      judge(stepProperties, t, s);
      const after = execs + (step.op === 'EXEC' && r.outcome.outcome === 'ok' ? 1 : 0);
      // An invariant, and the views, depend on the state alone: once per distinct state reached.
      const reached = canonicalKey(model, r.state, after);
      if (states.has(reached)) continue;
      states.add(reached);
      judge(stateProperties, t, s);
      for (const v of viewsOf(model, r.state, after, k, depthNow + 1)) add(v);
    }
  };

  for (const v of viewsOf(model, model.initial(MAIN_TASK), 0, k, 0)) add(v);
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    depth = Math.max(depth, v.depth);
    if (options.onProgress && i % PROGRESS_EVERY === 0) options.onProgress(views.size, v.depth);
    run(v.memory, v.execs, v.processes, v.depth);
    // Configurations with one thread more in one process, all of whose views are now known: this view
    // may be the last of them to arrive.
    v.processes.forEach((vp, pi) => {
      if (vp.threads.length !== k) return;
      vp.threads.forEach((_, ti) => {
        for (const extra of completions.get(contextKey(model, v, pi, ti))?.values() ?? []) {
          const processes = withThread(v, pi, extra);
          // A group has one leader (thread_group_leader()): no state of any size has two, so no configuration needs them.
          if (processes[pi]!.threads.filter(([, t]) => isGroupLeader(t)).length > 1) continue;
          const without = (j: number) => processes.map((q, i) => (i === pi ? { ...q, threads: q.threads.filter((_t, x) => x !== j) } : q));
          if (processes[pi]!.threads.every((_t, j) => views.has(keyOf(model, v.memory, v.execs, without(j))))) run(v.memory, v.execs, processes, v.depth);
        }
      });
    });
    if (!complete) break;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    cutoff: k,
    stats: { states: views.size, transitions, depth, seconds, statesPerSecond: Math.round(views.size / Math.max(seconds, 1e-9)), complete },
    configurations: configurations.size,
    violations,
    unjudged: properties.filter((p) => p.kind === 'eventually').map((p) => p.name),
  };
}

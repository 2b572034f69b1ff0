// Verdicts for every number of threads: the view abstraction (a counter abstraction whose cutoff is
// the size of a view), after Abdulla, Haziza and Holík, "Parameterized verification through view
// abstraction" (STTT 2016).
//
// A view is a small state: the memory, the execs so far, every live process with its chart state,
// and of each process's thread list (running threads and a zombie leader) its group leader and at
// most k (the cutoff) of the other threads, a sub-multiset of their classes (a class is what the
// rules can tell threads apart by: the task chart snapshot, the suspended and the stuck marks). Every
// process has its leader on its thread list until the group is gone (a leader that exits before its
// threads stays a zombie, exec's de_thread makes the exec'ing thread the leader), so every view keeps
// it: a view made without it would be a state no run reaches. A concrete state of any size is
// represented by all its views. The search computes a set V of views closed under this step: every
// configuration with the leader and k+1 other threads in one process whose views are all in V (and
// every view, as a configuration of its own) takes every step the concrete model allows, and every
// view of each result joins V. The model's own step function runs on each configuration; nothing is
// re-encoded.
//
// Why that covers every N (docs/checking.md, "Every thread count"): a rule reads other threads only by
// sending every live thread the same event, or through one witness whose presence makes the request
// fail and change nothing but the acting thread (validate_sigaltstack). So a step of a concrete state
// acts on the leader and any k other threads of it as it acts on a configuration made of them and the
// actor, which V holds; by induction every view of every reachable state, at any N, is in V. A
// property no configuration's step breaks holds at every N. A violation found here is checked by the
// caller (src/check/counter-check.ts), which replays it concretely; the configurations on the presets'
// ops are reachable states (test/check/counter-check.test.ts), so there the replay finds every one.

import { addBuffers, bufferDelta, hasLargeBuffer, isGroupLeader, named, onThreadList, type BufferCounts, type ProcessSlot, type SystemState, type TaskSlot } from '../model/state.js';
import type { Outcome } from '../model/observation.js';
import type { SystemModel } from '../model/system.js';
import type { Step } from '../scenario/format.js';
import { candidateSteps, execsAfter, prepareChoices } from './candidates.js';
import { CanonicalCodes, canonicalKey, sameTask } from './canonical.js';
import { requireModelFor, type ExploreConfig } from './config.js';
import { beyondBudget, MAIN_TASK, PROGRESS_EVERY, type ExploreStats, type StopReason } from './explore.js';
import { StateKeySet } from './key-set.js';
import { StepPropertiesByOp, type Property, type SafetyProperty, type Transition } from './property.js';
import { TableAnswers } from './table-answers.js';
import { everyProcessCount, unitsOf } from './units.js';

/**
 * Whether the view search covers `config`'s processes: one process, or every number of processes by
 * units. A view keeps its processes in the order of the state it came from, and a grown configuration
 * meets its views by that order: one process, or one unit (a vfork child after its parent).
 */
export function viewsCover(config: ExploreConfig): boolean {
  return config.maxProcesses === 1 || everyProcessCount(config.maxProcesses);
}

/** The cutoff `check --threads any` uses: views of the leader and one other thread per process, configurations of the leader and two. */
export const DEFAULT_CUTOFF = 1;

export interface CounterOptions {
  /** Threads per process in a view besides the group leader; configurations have one more. At least 1. */
  readonly cutoff?: number;
  readonly properties?: readonly Property[];
  /** Stop after this many views (the search is then incomplete). */
  readonly maxStates?: number;
  /** Stop once the memory in use passes this many bytes, as explore's maxMemoryBytes does, looked at every PROGRESS_EVERY views. */
  readonly maxMemoryBytes?: number;
  readonly onProgress?: (views: number, depth: number) => void;
  /** Take every step of every configuration, also those its views account for (tests: skipping them changes no view and no verdict). */
  readonly everyStep?: boolean;
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
  /** Of the transitions, those the step table answered without making them (table-answers.ts); none with everyStep. */
  readonly fromTable: number;
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

type ClassedThread = readonly [string, TaskSlot];

/** A process of a view: its slot (threads renamed later), its group leader, and some of its other threads, sorted by class. */
interface ViewProcess {
  readonly process: ProcessSlot;
  readonly leader: ClassedThread;
  readonly threads: readonly ClassedThread[];
}

interface View {
  readonly memory: SystemState['memory'];
  readonly execs: number;
  readonly processes: readonly ViewProcess[];
  readonly key: string;
  readonly depth: number;
}

function processPart(model: SystemModel, vp: ViewProcess, hole = false): string {
  return `${vp.process.vforkParent !== null ? 'V' : ''}${model.process.id(vp.process.snapshot)}${hole ? '*' : ''}[${vp.leader[0]};${vp.threads.map(([c]) => c).join(',')}]`;
}

function keyOf(model: SystemModel, memory: string, execs: number, processes: readonly ViewProcess[], hole = -1): string {
  return `${memory}|${execs}|${processes
    .map((vp, i) => processPart(model, vp, i === hole))
    .sort()
    .join('|')}`;
}

/** The sub-multisets of 0..k of a sorted list of classed threads, each once. */
function subMultisets<T>(threads: readonly (readonly [string, T])[], k: number): (readonly (readonly [string, T])[])[] {
  const out: (readonly (readonly [string, T])[])[] = [];
  const pick = (from: number, chosen: (readonly [string, T])[]) => {
    out.push([...chosen]);
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
    tasks: [vp.leader, ...vp.threads].map(([, t]) => {
      const name = `t${count++}`;
      if (!names.has(t.name)) names.set(t.name, name);
      if (hasLargeBuffer(t)) large++;
      return named(t, name);
    }),
  }));
  return {
    memory: view.memory,
    // The vfork parent may be left out of the view: the child still waits to release someone.
    processes: processes.map((p) => (p.vforkParent === null ? p : { ...p, vforkParent: names.get(p.vforkParent) ?? 'vfork-parent' })),
    buffers: { allocated: large, freed: 0, leaked: 0 },
  };
}

/** Every view of a concrete state: per live process its group leader and a sub-multiset of 0..k of the other threads on its thread list. */
function viewsOf(model: SystemModel, s: SystemState, execs: number, k: number, depth: number): View[] {
  const perProcess = s.processes
    .map((p) => p.tasks.filter(onThreadList))
    .map((listed, i) => ({ p: s.processes[i]!, listed }))
    .filter(({ listed }) => listed.length > 0)
    .map(({ p, listed }) => {
      const leaders = listed.filter(isGroupLeader);
      // thread_group_leader(): one per group, on its thread list until the group is gone. A state
      // without it would make the views miss the thread every rule about the leader reads.
      if (leaders.length !== 1) throw new Error(`view abstraction: a process with ${leaders.length} group leaders on its thread list, where the kernel has one`);
      const leader: ClassedThread = [classOf(model, leaders[0]!), leaders[0]!];
      const others = listed.filter((t) => t !== leaders[0]).map((t): ClassedThread => [classOf(model, t), t]).sort(byClass);
      return subMultisets(others, k).map((sub): ViewProcess => ({ process: p, leader, threads: sub }));
    });
  return product(perProcess).map((processes) => ({ memory: s.memory, execs, processes, key: keyOf(model, s.memory, execs, processes), depth }));
}

/** The view with the other thread `ti` of process `pi` left out: where views that differ in that one thread meet. */
function contextKey(model: SystemModel, v: View, pi: number, ti: number): string {
  const processes = v.processes.map((vp, i) => (i === pi ? { ...vp, threads: vp.threads.filter((_, j) => j !== ti) } : vp));
  return keyOf(model, v.memory, v.execs, processes, pi);
}

function withThread(v: View, pi: number, thread: ClassedThread): ViewProcess[] {
  return v.processes.map((vp, i) => (i === pi ? { ...vp, threads: [...vp.threads, thread].sort(byClass) } : vp));
}

/**
 * Where a step's actor sits (its process and its place there, 0 the leader; -1 for a step of the
 * system) and what it does (op and fields, less the name a new task gets), as a number of `texts`.
 */
interface Place {
  readonly pi: number;
  readonly ti: number;
  readonly what: number;
}

/** Small numbers for texts, each the same every time: grown configurations compare what views recorded by them. */
class TextIds {
  private readonly ids = new Map<string, number>();

  of(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) this.ids.set(text, (id = this.ids.size));
    return id;
  }
}

function placeOf(model: SystemModel, texts: TextIds, s: SystemState, step: Step): Place {
  const at = step.task === undefined ? undefined : model.locate(s, step.task);
  let what = step.op;
  for (const f in step.fields) if (f !== 'child') what += ` ${f}=${String(step.fields[f])}`;
  return { pi: at?.pi ?? -1, ti: at?.ti ?? -1, what: texts.of(what) };
}

/** Places per process in an actor's number: more than any configuration has. */
const ACTOR_SLOTS = 2 ** 16;

/** An actor's place as one number (a step of the system: -1, -1), and back. */
const actorKey = (pi: number, ti: number): number => (pi + 1) * ACTOR_SLOTS + ti + 1;
const actorPlace = (actor: number): readonly [number, number] => {
  const ti = (actor % ACTOR_SLOTS) - 1;
  return [(actor - ti - 1) / ACTOR_SLOTS - 1, ti];
};

/** `step` as the task `task` of a configuration with `fresh` tasks takes it (the names of a view's step are the view's). */
function renamed(step: Step, task: string | undefined, fresh: number): Step {
  const fields = 'child' in step.fields ? { ...step.fields, child: `t${fresh}` } : step.fields;
  return task === undefined ? { op: step.op, fields } : { op: step.op, task, fields };
}

/**
 * What a step of a view's configuration did, for the configurations grown from the view by a thread
 * of process `grown`: for a step of one of that process's other threads, whether it changed that
 * thread alone (and made at most one new thread of its process); for any other step, the outcome and
 * the state after, less the grown process's other threads.
 */
type Effect =
  | { readonly refused: true }
  /** The outcome and the state after, as a number of the search's texts. */
  | { readonly apart: number }
  | { readonly local: { readonly actor: TaskSlot; readonly born: TaskSlot | undefined; readonly outcome: Outcome; readonly buffers: BufferCounts } }
  | { readonly wide: true };

/** `after` without the threads of process `pi` of `before` other than its leader. */
function withoutOthers(after: SystemState, before: SystemState, pi: number): SystemState {
  const others = new Set(before.processes[pi]!.tasks.slice(1).map((t) => t.name));
  return { ...after, processes: after.processes.map((p, i) => (i === pi ? { ...p, tasks: p.tasks.filter((t) => !others.has(t.name)) } : p)) };
}

/** The step of task `ti` of process `pi` from `before` to `after` changed that task alone, and made at most one new task of its process: what it made of them. */
function localChange(model: SystemModel, before: SystemState, after: SystemState, pi: number, ti: number): { readonly actor: TaskSlot; readonly born: TaskSlot | undefined } | undefined {
  if (after.memory !== before.memory || after.processes.length !== before.processes.length) return undefined;
  for (let q = 0; q < before.processes.length; q++) {
    const b = before.processes[q]!;
    const a = after.processes[q]!;
    if (model.process.id(a.snapshot) !== model.process.id(b.snapshot) || a.vforkParent !== b.vforkParent) return undefined;
    const born = q === pi ? 1 : 0;
    if (a.tasks.length < b.tasks.length || a.tasks.length > b.tasks.length + born) return undefined;
    if (!b.tasks.every((t, x) => (q === pi && x === ti) || sameTask(model, t, a.tasks[x]!))) return undefined;
  }
  const tasks = after.processes[pi]!.tasks;
  return { actor: tasks[ti]!, born: tasks[before.processes[pi]!.tasks.length] };
}

/** Two effects of a step, less the grown process's other threads, are the same. */
function sameEffect(a: Effect, b: Effect): boolean {
  return ('refused' in a && 'refused' in b) || ('apart' in a && 'apart' in b && a.apart === b.apart);
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
  requireModelFor(model, config);
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const k = options.cutoff ?? DEFAULT_CUTOFF;
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`counter abstraction: the cutoff must be an integer of at least 1, got ${k}`);
  const unbounded: ExploreConfig = { ...config, maxThreadsPerProcess: Number.POSITIVE_INFINITY };
  const byUnits = everyProcessCount(config.maxProcesses);
  if (!viewsCover(config))
    throw new RangeError(`counter abstraction: views cover one process, or every number of processes by units; got a bound of ${config.maxProcesses} processes`);
  const properties = options.properties ?? [];
  const safety = properties.filter((p): p is SafetyProperty => p.kind !== 'eventually');
  const stepProperties = safety.filter((p) => p.kind === 'step');
  const stateProperties = safety.filter((p) => p.kind === 'state');
  // A step that changes its actor alone is judged by the rest in the view with the actor (judgeLocal).
  const stepPropertiesTogether = stepProperties.filter((p) => p.readsThreadsTogether === true);
  const statePropertiesTogether = stateProperties.filter((p) => p.readsThreadsTogether === true);
  /** The concrete states the configurations' steps reached, by canonical key; `key` is scratch space, written before each look-up. */
  const key = new CanonicalCodes();
  const states = new StateKeySet();
  const maxViews = options.maxStates ?? Number.POSITIVE_INFINITY;
  const views = new Map<string, View>();
  /** A view's place in the queue. */
  const order = new Map<View, number>();
  const queue: View[] = [];
  /** By context (a view less one thread): the threads that complete it to a view of V, by class, each with that view. */
  const completions = new Map<string, Map<string, { readonly thread: ClassedThread; readonly view: View }>>();
  /**
   * The configurations run. Each runs once: a view's when it leaves the queue, a grown one when the
   * last of its views does (so only from that view, and from it once per set of threads: see
   * grownHere below).
   */
  let configurations = 0;
  const violations = new Map<string, AbstractViolation>();
  const stepPropertiesByOp = new StepPropertiesByOp(stepProperties, violations);
  // Where every step must be taken (everyStep), no step is answered by the step table either.
  const tableAnswers = options.everyStep === true ? undefined : new TableAnswers(model, key, states, byUnits, stepPropertiesByOp, false);
  let transitions = 0;
  let fromTable = 0;
  let depth = 0;
  let stoppedBy: StopReason | undefined;
  const judge = (ps: readonly SafetyProperty[], t: Transition, configuration: SystemState): void => {
    for (const p of ps) if (!violations.has(p.name) && !p.holds(t)) violations.set(p.name, { property: p.name, step: t.step, observation: t.observation, configuration });
  };

  const add = (v: View): void => {
    if (views.has(v.key)) return;
    if (views.size >= maxViews) {
      stoppedBy ??= 'max-states';
      return;
    }
    views.set(v.key, v);
    order.set(v, queue.length);
    queue.push(v);
    v.processes.forEach((vp, pi) =>
      vp.threads.forEach((thread, ti) => {
        const ctx = contextKey(model, v, pi, ti);
        let known = completions.get(ctx);
        if (!known) completions.set(ctx, (known = new Map()));
        known.set(thread[0], { thread, view: v });
      }),
    );
  };

  /** A step of a view's configuration and what it did, as the configurations grown from the view need it. */
  interface Recorded {
    readonly step: Step;
    readonly what: number;
    readonly effect: Effect;
  }
  /** An actor's steps in a view's configuration, in the order candidateSteps gives them: all, and those neither refused nor local. */
  interface ActorSteps {
    readonly all: Recorded[];
    readonly wide: Recorded[];
  }
  /** By view, by the process it may grow by, by actor (actorKey): its steps. */
  const effects = new Map<string, Map<number, Map<number, ActorSteps>>>();
  const texts = new TextIds();

  /** The candidate steps of a configuration, a stuck class's once. */
  const choices = prepareChoices(model, unbounded);
  const candidates = (s: SystemState, execs: number, fresh: number): Step[] => {
    const steps = candidateSteps(model, unbounded, { state: s, execs, nextId: fresh }, choices);
    const stuck = new Map<string, TaskSlot>();
    for (const p of s.processes) for (const t of p.tasks) if (t.stuckOn !== null) stuck.set(t.name, t);
    if (stuck.size === 0) return steps;
    // Copies of one stuck class each offer the same step (the others are one per class already): take it once.
    const taken = new Set<string>();
    return steps.filter((step) => {
      const t = stuck.get(step.task ?? '');
      if (t === undefined) return true;
      const choice = `${classOf(model, t)}|${step.op}`;
      if (taken.has(choice)) return false;
      taken.add(choice);
      return true;
    });
  };

  /**
   * Takes a step of a configuration: judges it, and adds the views of the state it reaches. Unless
   * the caller needs the result (`mayAnswer` false), a step the step table answers (table-answers.ts) is
   * counted and nothing more: it leads to a state reached before, whose views are known, and it
   * changes no other thread (checkUniform has nothing to check).
   */
  const take = (s: SystemState, execs: number, step: Step, depthNow: number, mayAnswer: boolean): ReturnType<SystemModel['next']> | undefined => {
    const entry = tableAnswers?.entryOf(s, step);
    if (mayAnswer && entry !== undefined && tableAnswers!.answers(step, entry, execs)) {
      transitions++;
      fromTable++;
      return undefined;
    }
    const r = entry !== undefined ? tableAnswers!.replay(step, entry) : model.next(s, step);
    if (!r.ok) return r;
    transitions++;
    // A step the step table holds changes the other threads by its group end alone, which sends
    // each running thread the same event through the memoised chart: no two threads of a class part.
    if (entry === undefined) checkUniform(model, s, step, r.state);
    const t: Transition = { before: s, step, observation: r.outcome, after: r.state, model };
    judge(stepPropertiesByOp.of(step.op).judge, t, s);
    if (entry !== undefined) tableAnswers!.markJudged(step, entry);
    const after = execsAfter(execs, step, r.outcome);
    // An invariant, and the views, depend on the state alone: once per distinct state reached. With
    // every number of processes, once per unit of it (units.ts): views are then views of one unit.
    for (const unit of byUnits ? unitsOf(r.state) : [r.state]) {
      key.write(model, unit, after);
      if (states.find(key) >= 0) continue;
      states.add(key);
      judge(stateProperties, unit === r.state ? t : { ...t, after: unit }, s);
      for (const v of viewsOf(model, unit, after, k, depthNow + 1)) add(v);
    }
    return r;
  };

  /**
   * Runs a configuration: a view, or one grown by a thread of process `grown` from its views `from`
   * (`from[j]`: the configuration less the grown process's other thread j). A grown configuration
   * takes only the steps its views do not account for (docs/checking.md, "Every thread count"): a
   * step of one of the grown process's other threads that, in a view with that thread, changed it
   * alone is judged as that change, not taken again; any other step that did the same in every view,
   * less the grown process's other threads, is not taken either. A view's steps are recorded under
   * its key, `viewKey`.
   */
  const run = (memory: SystemState['memory'], execs: number, processes: readonly ViewProcess[], depthNow: number, viewKey: string | undefined, grown = -1, from: readonly View[] = []): void => {
    configurations++;
    const s = stateOf({ memory, processes });
    options.onConfiguration?.(s, execs);
    const fresh = processes.reduce((n, vp) => n + 1 + vp.threads.length, 0);
    if (grown >= 0 && options.everyStep !== true) {
      runGrown(s, execs, processes, depthNow, grown, from, fresh);
      return;
    }
    // A view records what its steps did, for each process by which it may grow.
    const growable = viewKey !== undefined ? processes.flatMap((vp, pi) => (vp.threads.length === k ? [pi] : [])) : [];
    const record = new Map(growable.map((pi) => [pi, new Map<number, ActorSteps>()] as const));
    if (viewKey !== undefined && record.size > 0) effects.set(viewKey, record);
    for (const step of candidates(s, execs, fresh)) {
      const r = take(s, execs, step, depthNow, record.size === 0);
      if (r === undefined || record.size === 0) continue;
      const at = placeOf(model, texts, s, step);
      const after = r.ok ? execsAfter(execs, step, r.outcome) : execs;
      for (const [pi, byActor] of record) {
        const actor = actorKey(at.pi, at.ti);
        let steps = byActor.get(actor);
        if (steps === undefined) byActor.set(actor, (steps = { all: [], wide: [] }));
        const recorded: Recorded = { step, what: at.what, effect: effectOf(s, r, execs, after, pi, at) };
        steps.all.push(recorded);
        if ('wide' in recorded.effect) steps.wide.push(recorded);
      }
    }
  };

  const runGrown = (s: SystemState, execs: number, processes: readonly ViewProcess[], depthNow: number, grown: number, from: readonly View[], fresh: number): void => {
    const records = from.map((w) => effects.get(w.key)!.get(grown)!);
    const tasks = s.processes[grown]!.tasks;
    const threads = processes[grown]!.threads;
    const local = judgedLocally();
    // The grown process's other threads, one of each class: as a view with the thread (and without another) took its steps.
    threads.forEach(([cls], i) => {
      if (i > 0 && threads[i - 1]![0] === cls) return;
      const dropped = i === 0 ? 1 : 0;
      const there = from[dropped]!.processes[grown]!.threads.findIndex(([c]) => c === cls);
      const steps = records[dropped]!.get(actorKey(grown, 1 + there));
      // Its local steps only while judgeLocal has a property to judge them by (`wide` has none, nor refused ones).
      for (const { step, effect } of (local ? steps?.all : steps?.wide) ?? []) {
        if ('refused' in effect) continue;
        const here = renamed(step, tasks[1 + i]!.name, fresh);
        if ('local' in effect) judgeLocal(s, here, grown, 1 + i, effect.local);
        else take(s, execs, here, depthNow, true);
      }
    });
    // Every other step: taken unless it did the same in every view.
    for (const [actor, steps] of records[0]!) {
      const [pi, ti] = actorPlace(actor);
      if (pi === grown && ti > 0) continue;
      steps.all.forEach(({ step, what, effect }, n) => {
        const same = records.every((r) => {
          const e = r.get(actor)?.all[n];
          return e !== undefined && e.what === what && sameEffect(e.effect, effect);
        });
        if (!same) take(s, execs, renamed(step, pi < 0 ? undefined : s.processes[pi]!.tasks[ti]!.name, fresh), depthNow, true);
      });
    }
  };

  /** What a view's step did, as a configuration grown by a thread of process `grown` needs it. */
  const effectOf = (s: SystemState, r: ReturnType<SystemModel['next']>, execs: number, after: number, grown: number, at: Place): Effect => {
    if (!r.ok) return { refused: true };
    if (at.pi === grown && at.ti > 0) {
      // An exec that succeeded counts: never local (it also ends every other thread).
      const local = after === execs ? localChange(model, s, r.state, at.pi, at.ti) : undefined;
      return local ? { local: { ...local, outcome: r.outcome, buffers: bufferDelta(s.buffers, r.state.buffers) } } : { wide: true };
    }
    return { apart: texts.of(`${JSON.stringify(r.outcome)}|${canonicalKey(model, withoutOthers(r.state, s, grown), after)}`) };
  };

  /** Whether judgeLocal has a property left to judge: not once every such property is violated (on linux, AmxWorkIsNeverLostToEnomem soon is). */
  const judgedLocally = (): boolean => !stepPropertiesTogether.every((p) => violations.has(p.name)) || !statePropertiesTogether.every((p) => violations.has(p.name));

  /**
   * Judges a step of a grown configuration that changes its own thread alone, as a view's
   * configuration saw it do, by the properties that read threads together: the others see here what
   * they saw in the view (the actor's change, its outcome, the same buffer change), and threads that
   * did not move, each as a view already judged it.
   */
  const judgeLocal = (s: SystemState, step: Step, pi: number, ti: number, e: Extract<Effect, { local: unknown }>['local']): void => {
    const actor = s.processes[pi]!.tasks[ti]!;
    const child = step.fields['child'];
    const processes = s.processes.map((p, i) => {
      if (i !== pi) return p;
      const tasks = p.tasks.map((t, x) => (x === ti ? { ...e.actor, name: actor.name } : t));
      return { ...p, tasks: e.born === undefined ? tasks : [...tasks, { ...e.born, name: String(child) }] };
    });
    const after: SystemState = { memory: s.memory, processes, buffers: addBuffers(s.buffers, e.buffers) };
    const t: Transition = { before: s, step, observation: e.outcome, after, model };
    // Its views are known (the view's and this configuration's); the state it reaches is judged here,
    // which costs less than looking it up among the states reached.
    judge(stepPropertiesTogether, t, s);
    judge(statePropertiesTogether, t, s);
  };

  for (const v of viewsOf(model, model.initial(MAIN_TASK), 0, k, 0)) add(v);
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    depth = Math.max(depth, v.depth);
    if (i % PROGRESS_EVERY === 0) {
      options.onProgress?.(views.size, v.depth);
      stoppedBy ??= beyondBudget(options, cpuAtStart);
      if (stoppedBy !== undefined) break;
    }
    run(v.memory, v.execs, v.processes, v.depth, v.key);
    // Configurations with one thread more in one process, all of whose views are known and run: each
    // grows from the last of its views in the queue, once that one has run, so what every view's
    // steps did is recorded. With a cutoff above 1, one configuration may complete the view by the
    // same thread in the places of two of its threads.
    const grownHere = k > 1 ? new Set<string>() : undefined;
    v.processes.forEach((vp, pi) => {
      if (vp.threads.length !== k) return;
      vp.threads.forEach(([replaced], ti) => {
        for (const { thread: extra, view: completed } of completions.get(contextKey(model, v, pi, ti))?.values() ?? []) {
          const processes = withThread(v, pi, extra);
          const without = (j: number) => processes.map((q, i) => (i === pi ? { ...q, threads: q.threads.filter((_t, x) => x !== j) } : q));
          // Less the extra thread it is this view; less the thread the extra one completes the context
          // of, the view the extra thread came from; less any other (cutoff above 1), looked up.
          const from = processes[pi]!.threads.map(([cls], j) =>
            cls === extra[0] ? v : cls === replaced ? completed : views.get(keyOf(model, v.memory, v.execs, without(j))),
          );
          if (!from.every((w) => w !== undefined) || from.some((w) => order.get(w)! > i)) continue;
          if (grownHere !== undefined) {
            const grownKey = keyOf(model, v.memory, v.execs, processes);
            if (grownHere.has(grownKey)) continue;
            grownHere.add(grownKey);
          }
          run(v.memory, v.execs, processes, v.depth, undefined, pi, from);
        }
      });
    });
    if (stoppedBy !== undefined) break;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    cutoff: k,
    stats: {
      states: views.size,
      transitions,
      depth,
      seconds,
      statesPerSecond: Math.round(views.size / Math.max(seconds, 1e-9)),
      complete: stoppedBy === undefined,
      ...(stoppedBy !== undefined ? { stoppedBy } : {}),
    },
    configurations,
    fromTable,
    violations,
    unjudged: properties.filter((p) => p.kind === 'eventually').map((p) => p.name),
  };
}

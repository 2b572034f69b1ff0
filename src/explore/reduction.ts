// Partial-order reduction by ample sets (Peled; Clarke, Grumberg and Peled, ch. 10). Steps of
// different threads commute unless they touch what the process or the system shares; of each group
// of interleavings that differ only in the order of commuting steps, the search needs one. At a state,
// it takes the steps of one thread whose every enabled step is *private*, instead of every candidate.
//
// A step is private when it touches its own thread's chart and nothing else, in the state and in every
// state that other threads can make without that thread moving: what the rules route to the thread
// alone (rules.ts: every edge of its route goes to `thread`), without a fault (a fault meets the
// process's disposition, and may kill the process or request permission), with the same effect
// whatever the memory (OOM_BEGIN and OOM_END commute with it), and commuting with the one change
// other threads make to a thread that lives on: the permission grant (the other is death, which the
// canonical key does not see). It must keep what the properties read of the thread: its buffer, its
// altstack, and live tile data. docs/checking.md (Partial-order reduction) gives the argument for
// each property; test/explore/reduction.test.ts checks the commutation and every verdict.

import { opSpec, ROUTES } from '../../machines/kernel-events.js';
import type { Memory, TaskEvent } from '../../machines/task-types.js';
import { ROUTE_RULES } from '../model/rules.js';
import type { Outcome } from '../model/observation.js';
import { altstackIn, isAlive, taskValue, type ProcessSlot, type SystemState, type TaskSlot, type TaskSnapshot } from '../model/state.js';
import type { SystemModel } from '../model/system.js';
import type { Step } from '../scenario/format.js';
import type { SearchPoint } from './candidates.js';
import { sameTask } from './canonical.js';
import type { ExploreConfig } from './config.js';

export const REDUCTIONS = ['none', 'por'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

export function isReduction(name: string): name is Reduction {
  return (REDUCTIONS as readonly string[]).includes(name);
}

/** The routes whose rule reaches the step's own thread and nothing else, as rules.ts draws them. */
export const OWN_THREAD_ROUTES: ReadonlySet<string> = new Set(
  ROUTES.filter((r) => ROUTE_RULES[r].edges.length > 0 && ROUTE_RULES[r].edges.every((e) => e.to.every((n) => n === 'thread'))),
);

const MEMORIES: readonly Memory[] = ['available', 'exhausted'];

/**
 * The task events that other threads' steps send (rules.ts: the edges to `others`). KILLED ends the
 * thread, and the canonical key forgets dead threads; RELEASED reaches only a zombie leader, which
 * takes no steps; the grant leaves the thread running, so a private step must commute with it.
 */
export const EVENTS_FROM_OTHER_THREADS = ['PERMISSION_GRANTED', 'KILLED', 'RELEASED'] as const;

function grant(memory: Memory): TaskEvent {
  return { type: 'PERMISSION_GRANTED', memory };
}

/** The outcome fields that report the step itself, not the state after it (a grant may change that). */
function reported(o: Outcome): string {
  const { tiles: _tiles, buffer: _buffer, ...own } = o;
  return JSON.stringify(own);
}

/** A fault meets the process's disposition, which another thread may change: never private. */
function faulted(o: Outcome): boolean {
  return o.outcome === 'SIGILL' || o.outcome === 'SIGSEGV' || o.handler !== undefined || o.fatal === true || o.hang === true;
}

/** What the properties read of a thread (src/properties/catalogue.ts): a private step keeps it. */
function keepsWhatPropertiesRead(before: TaskSnapshot, after: TaskSnapshot): boolean {
  const b = taskValue(before);
  const a = taskValue(after);
  if (b === undefined || a === undefined) return false;
  // Live tile data in a thread without a large buffer is what makes its process one that "did AMX
  // work" (AmxWorkIsNeverLostToEnomem): a private step does not take that away.
  // The altstack is its bytes and SS_AUTODISARM (its chart region follows from the bytes): other
  // threads' permission requests read them.
  const altstackBefore = altstackIn(before);
  const altstackAfter = altstackIn(after);
  const sameAltstack = altstackBefore.bytes === altstackAfter.bytes && altstackBefore.autodisarm === altstackAfter.autodisarm;
  return a.buffer === b.buffer && sameAltstack && (b.tileData !== 'live' || a.tileData === 'live' || a.buffer === 'allocated');
}

/** `state` with task `ti` of process `pi` replaced. */
function withTask(state: SystemState, pi: number, ti: number, task: TaskSlot): SystemState {
  const processes = [...state.processes];
  const p = processes[pi]!;
  const tasks = [...p.tasks];
  tasks[ti] = task;
  processes[pi] = { ...p, tasks };
  return { ...state, processes };
}

/** Whether two process slots agree, but for task `except` (none: -1). */
function sameProcess(model: SystemModel, a: ProcessSlot, b: ProcessSlot, except: number): boolean {
  if (a === b) return true;
  if (model.process.id(a.snapshot) !== model.process.id(b.snapshot) || a.vforkParent !== b.vforkParent || a.tasks.length !== b.tasks.length) return false;
  return a.tasks.every((t, k) => k === except || sameTask(model, t, b.tasks[k]!));
}

/** Whether `after` differs from `before` in task `ti` of process `pi` alone, which still runs. */
function onlyTaskChanged(model: SystemModel, before: SystemState, after: SystemState, pi: number, ti: number): boolean {
  if (after.memory !== before.memory || after.processes.length !== before.processes.length) return false;
  const b = before.buffers;
  const a = after.buffers;
  if (a.allocated !== b.allocated || a.freed !== b.freed || a.leaked !== b.leaked) return false;
  if (!before.processes.every((p, q) => sameProcess(model, p, after.processes[q]!, q === pi ? ti : -1))) return false;
  const t = after.processes[pi]!.tasks[ti]!;
  return isAlive(t) && !t.suspended && t.stuckOn === null && keepsWhatPropertiesRead(before.processes[pi]!.tasks[ti]!.snapshot, t.snapshot);
}

/** Where a step leads in the search so far: nowhere (disabled), back to its own state, to a state found at its depth or before, or on. */
export type Whither = 'disabled' | 'stays' | 'back' | 'ahead';

/**
 * Chooses ample sets for one search. Whether a thread's steps are private depends only on its chart,
 * its process's chart and the steps offered, so the answer is remembered by their numbers.
 */
export class AmpleSets {
  private readonly known = new Map<string, boolean>();
  /** Whether the configuration can change the memory: otherwise a step need not commute with OOM_BEGIN and OOM_END. */
  private readonly memoryChanges: boolean;

  constructor(
    private readonly model: SystemModel,
    private readonly config: ExploreConfig,
  ) {
    this.memoryChanges = config.ops.some((o) => opSpec(o.op)?.scope === 'system');
  }

  /**
   * Whether the configuration's ops that `steps` lack (cut by a bound) stay cut whatever other threads
   * do: a signal cut at the depth (its own frames), an exec cut at the limit (execs only add up), and
   * a clone cut at the thread limit when no thread can exit (exec and a fatal signal end this thread
   * too); a fork cut at the process limit does not (another process may end).
   */
  private cutForGood(steps: readonly Step[]): boolean {
    const offered = new Set(steps.map((s) => s.op));
    const threadsCanExit = this.config.ops.some((o) => o.op === 'EXIT');
    return this.config.ops.every(
      (o) =>
        offered.has(o.op) ||
        !this.model.hasOp(o.op) ||
        opSpec(o.op)?.scope === 'system' ||
        o.op === 'SIGNAL' ||
        o.op === 'EXEC' ||
        (opSpec(o.op)?.creates === 'thread' && !threadsCanExit),
    );
  }

  /**
   * The steps of one thread, the one with the fewest candidates among those whose every candidate is
   * private and whose steps meet the cycle proviso (`where`: none leads back, one leads on); undefined
   * when there is none, and every candidate is to be taken.
   */
  choose(point: SearchPoint, candidates: readonly Step[], where: (step: Step) => Whither): readonly Step[] | undefined {
    const byTask = new Map<string, Step[]>();
    for (const c of candidates) {
      if (c.task === undefined) continue;
      const list = byTask.get(c.task);
      if (list) list.push(c);
      else byTask.set(c.task, [c]);
    }
    const groups = [...byTask].filter(([, steps]) => steps.length < candidates.length).sort((a, b) => a[1].length - b[1].length);
    for (const [task, steps] of groups) {
      if (!this.cutForGood(steps) || !this.allPrivate(point.state, task, steps)) continue;
      const whither = steps.map(where);
      if (whither.includes('ahead') && !whither.includes('back')) return steps;
    }
    return undefined;
  }

  private allPrivate(state: SystemState, task: string, steps: readonly Step[]): boolean {
    const at = this.model.locate(state, task);
    if (at === undefined) return false;
    const p: ProcessSlot = state.processes[at.pi]!;
    const t = p.tasks[at.ti]!;
    if (t.stuckOn !== null || t.suspended) return false;
    let key = `${this.model.process.id(p.snapshot)}|${this.model.task.id(t.snapshot)}`;
    for (const s of steps) {
      key += `|${s.op}`;
      for (const f in s.fields) if (f !== 'child') key += ` ${f}=${String(s.fields[f])}`;
    }
    const known = this.known.get(key);
    if (known !== undefined) return known;
    const verdict = steps.every((s) => isPrivate(this.model, state, at.pi, at.ti, s, this.memoryChanges));
    this.known.set(key, verdict);
    return verdict;
  }
}

/**
 * Whether `step` of task `ti` of process `pi` is private in `state`: routed to its own thread, and in
 * the state, with the other memory, and after a grant (with either memory), it is enabled alike,
 * changes that thread alone (keeping what the properties read of it), reports the same, and ends in
 * the same chart state as the grant would make of its own.
 */
export function isPrivate(model: SystemModel, state: SystemState, pi: number, ti: number, step: Step, memoryChanges = true): boolean {
  const spec = opSpec(step.op);
  if (spec === undefined) return false;
  const memories = memoryChanges ? MEMORIES : [state.memory];
  if (spec.route === 'requestPermission') return isSettledRequest(model, state, pi, ti, step, memories);
  if (!OWN_THREAD_ROUTES.has(spec.route)) return false;
  const here = model.next(state, step);
  const task = state.processes[pi]!.tasks[ti]!;
  const contexts: { state: SystemState; grant?: TaskEvent }[] = [];
  for (const memory of memories) {
    const base = memory === state.memory ? state : { ...state, memory };
    contexts.push({ state: base });
    for (const event of memories.map(grant)) {
      const granted = model.task.send(task.snapshot, event).snapshot;
      if (model.task.id(granted) !== model.task.id(task.snapshot)) contexts.push({ state: withTask(base, pi, ti, { ...task, snapshot: granted }), grant: event });
    }
  }
  const doneHere = here.ok ? here.state.processes[pi]!.tasks[ti]!.snapshot : undefined;
  for (const c of contexts) {
    const r = c.state === state ? here : model.next(c.state, step);
    if (r.ok !== here.ok) return false;
    if (!r.ok || !here.ok || doneHere === undefined) continue;
    if (faulted(r.outcome) || !onlyTaskChanged(model, c.state, r.state, pi, ti)) return false;
    const done = r.state.processes[pi]!.tasks[ti]!.snapshot;
    const expected = c.grant === undefined ? doneHere : model.task.send(doneHere, c.grant).snapshot;
    if (model.task.id(done) !== model.task.id(expected)) return false;
    if (c.grant === undefined ? JSON.stringify(r.outcome) !== JSON.stringify(here.outcome) : reported(r.outcome) !== reported(here.outcome)) return false;
  }
  // A step disabled in every context stays disabled until its own thread moves: it does not count.
  return true;
}

/**
 * A permission request that the process chart answers alike whatever the other threads' altstacks and
 * the memory (the fast path of a process that holds permission, or a platform without AMX), and that
 * changes nothing: no other thread can make it do anything else.
 */
function isSettledRequest(model: SystemModel, state: SystemState, pi: number, ti: number, step: Step, memories: readonly Memory[]): boolean {
  const p = state.processes[pi]!;
  const feature = step.fields['feature'] as number;
  const answers = new Set<string>();
  for (const memory of memories)
    for (const smallAltstackInProcess of [false, true]) {
      const r = model.process.send(p.snapshot, { type: 'REQ_PERM', feature, smallAltstackInProcess, memory });
      if (r.permissionGranted || model.process.id(r.snapshot) !== model.process.id(p.snapshot)) return false;
      answers.add(JSON.stringify(r.outcome ?? null));
    }
  if (answers.size !== 1) return false;
  const r = model.next(state, step);
  return r.ok && onlyTaskChanged(model, state, r.state, pi, ti) && model.task.id(r.state.processes[pi]!.tasks[ti]!.snapshot) === model.task.id(p.tasks[ti]!.snapshot);
}

// The system: processes of threads composed from the task and process charts, the environment's
// memory, and buffer accounting. A pure step function over immutable states; each chart transition
// is memoised per (snapshot, event), so exploration runs the charts once per distinct local step.

import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { ProcessEvent, ProcessInput, SigillHandler, SigsegvHandler } from '../../machines/process-types.js';
import { permissionRequestAltstackMinimum, type PlatformProfile, type AltstackClass } from '../../machines/platform.js';
import type { BufferChange, Memory, SiCode, TaskContext, TaskEvent, TaskInput, TaskOutcome, XrstorTileBits } from '../../machines/task-types.js';
import type { ProcessMachine, TaskMachine, Variant } from '../../machines/variants.js';
import type { Step } from '../scenario/format.js';
import { describeValue } from '../scenario/describe.js';
import { MAX_PROCESSES, MAX_SIGNAL_DEPTH, MAX_THREADS_PER_PROCESS } from '../scenario/limits.js';

export type TaskSnapshot = SnapshotFrom<TaskMachine>;
export type ProcessSnapshot = SnapshotFrom<ProcessMachine>;

export interface TaskSlot {
  readonly name: string;
  readonly snapshot: TaskSnapshot;
  /** A vfork parent waits until its child execs or exits. */
  readonly suspended: boolean;
  /**
   * The task spins in an endless SIGILL refault: its handler returned to an instruction that faults
   * again, forever (observed 2d, no-amx N14, N15). It still lives, and takes no step of its own.
   */
  readonly stuck: boolean;
}

export interface ProcessSlot {
  readonly snapshot: ProcessSnapshot;
  readonly tasks: readonly TaskSlot[];
  /** The task that vforked this process and waits for it. */
  readonly vforkParent: string | null;
}

export interface BufferCounts {
  readonly allocated: number;
  readonly freed: number;
  readonly leaked: number;
}

export interface SystemState {
  readonly memory: Memory;
  readonly processes: readonly ProcessSlot[];
  readonly buffers: BufferCounts;
}

export type TilesReport = 'intact' | 'init' | 'lost';

/** One line of `simulate --json`: what a step did, as the kernel would show it. */
export interface Observation {
  readonly step: number;
  readonly task?: string;
  readonly op: string;
  readonly outcome: string;
  readonly si_code?: SiCode;
  readonly fatal?: boolean;
  /** What the process's handler did with a fault signal. */
  readonly handler?: SigillHandler | SigsegvHandler;
  /** The handler returned to an instruction that faults again: an endless refault, the task is stuck. */
  readonly hang?: boolean;
  readonly bitmap?: string;
  readonly tiles?: TilesReport;
  readonly frameHasTiles?: boolean;
  readonly buffer?: 'default' | 'large';
  readonly leakedBuffers?: number;
}

/** What a step reported, apart from its number, op and task (and the leak count, a global). */
export type Outcome = Omit<Observation, 'step' | 'op' | 'task' | 'leakedBuffers'>;

export type NextResult =
  | { readonly ok: true; readonly state: SystemState; readonly outcome: Outcome; readonly trace: readonly ChartStepTrace[]; readonly owners: readonly TraceOwner[] }
  | { readonly ok: false; readonly error: string; readonly field?: string };

export type StepResult =
  | { readonly ok: true; readonly state: SystemState; readonly observation: Observation }
  | { readonly ok: false; readonly error: string; readonly field?: string };

/** Where a chart step came from: a start with its input, or an event sent to a snapshot. */
export type ChartStepOrigin = { readonly input: unknown } | { readonly from: unknown; readonly event: TaskEvent | ProcessEvent };

/**
 * Whose chart a trace entry stepped, parallel to the trace: a task of the step's own process by its
 * position there, that process's chart, or a chart of another process (a fork child being born).
 * Positions, not names, so that a memoised effect replayed onto renamed tasks still says whose.
 */
export type TraceOwner = number | 'process' | 'other';

/** One step of one chart, as the system took it: the trace coverage is computed from. */
export interface ChartStepTrace {
  readonly chart: 'task' | 'process';
  readonly origin: ChartStepOrigin;
}

interface ChartStep<S> extends ChartStepTrace {
  readonly snapshot: S;
  readonly outcome: TaskOutcome | undefined;
  readonly bufferChanges: readonly BufferChange[];
  readonly permissionGranted: boolean;
}

/** Events are flat records of primitives, so this identifies them, at a fraction of JSON.stringify's cost. */
function eventKey(event: TaskEvent | ProcessEvent): string {
  const fields = event as unknown as Record<string, string | number | boolean>;
  let k = '';
  for (const name in fields) k += `${name}=${String(fields[name])},`;
  return k;
}

type Emitted = { type: string; outcome?: TaskOutcome; change?: BufferChange };

/** Runs one chart with memoised, interned transitions: equal snapshots are the same object, with a small id. */
class Chart<M extends TaskMachine | ProcessMachine> {
  private readonly keys = new WeakMap<object, string>();
  private readonly ids = new WeakMap<object, number>();
  private readonly interned = new Map<string, SnapshotFrom<M>>();
  private readonly steps = new Map<string, ChartStep<SnapshotFrom<M>>>();

  constructor(
    readonly name: 'task' | 'process',
    readonly machine: M,
    private readonly memoise: boolean,
  ) {}

  /** The snapshot as JSON: its state value and context; equal keys are interned to one object. */
  private key(snapshot: SnapshotFrom<M>): string {
    let k = this.keys.get(snapshot);
    if (k === undefined) {
      const s = snapshot as unknown as { value: unknown; context: unknown };
      k = JSON.stringify([s.value, s.context ?? null]);
      this.keys.set(snapshot, k);
    }
    return k;
  }

  /** A small number standing for key(snapshot): canonical state keys are built from these. */
  id(snapshot: SnapshotFrom<M>): number {
    const known = this.ids.get(snapshot);
    return known ?? this.ids.get(this.intern(snapshot))!;
  }

  private intern(snapshot: SnapshotFrom<M>): SnapshotFrom<M> {
    const k = this.key(snapshot);
    const known = this.interned.get(k);
    if (known) return known;
    this.interned.set(k, snapshot);
    this.ids.set(snapshot, this.interned.size);
    return snapshot;
  }

  private collect(snapshot: SnapshotFrom<M>, actions: readonly { type: string; params?: unknown }[], origin: ChartStepOrigin): ChartStep<SnapshotFrom<M>> {
    const emitted = actions
      .filter((a) => a.type === 'xstate.emit')
      .map((a) => (a.params as { event: Emitted }).event);
    return {
      chart: this.name,
      origin,
      snapshot: this.intern(snapshot),
      outcome: emitted.find((e) => e.type === 'outcome')?.outcome,
      bufferChanges: emitted.filter((e) => e.type === 'buffer').map((e) => e.change as BufferChange),
      permissionGranted: emitted.some((e) => e.type === 'permissionGranted'),
    };
  }

  start(input: unknown): ChartStep<SnapshotFrom<M>> {
    const k = `init|${JSON.stringify(input)}`;
    let s = this.steps.get(k);
    if (!s) {
      const [snapshot, actions] = initialTransition(this.machine as TaskMachine, input as TaskInput);
      s = this.collect(snapshot as SnapshotFrom<M>, actions, { input });
      this.steps.set(k, s);
    }
    return s;
  }

  send(snapshot: SnapshotFrom<M>, event: TaskEvent | ProcessEvent): ChartStep<SnapshotFrom<M>> {
    const k = this.memoise ? `${this.id(snapshot)}|${eventKey(event)}` : '';
    let s = this.memoise ? this.steps.get(k) : undefined;
    if (!s) {
      const [next, actions] = transition(this.machine as TaskMachine, snapshot as SnapshotFrom<TaskMachine>, event as TaskEvent);
      s = this.collect(next as SnapshotFrom<M>, actions, { from: snapshot, event });
      if (this.memoise) this.steps.set(k, s);
    }
    return s;
  }
}

type TaskValue = { alive?: { buffer: string; tileConfig: string; tileData: string; altstack: string; signal: unknown } };
type ProcessValue = { hostPermission: string; guestPermission: string; guestPermissionLock: string; sigillDisposition: string; sigsegvDisposition: string };

export function taskValue(s: TaskSnapshot): TaskValue['alive'] {
  return (s.value as TaskValue).alive;
}

export function processValue(s: ProcessSnapshot): ProcessValue {
  return s.value as ProcessValue;
}

export function isAlive(t: TaskSlot): boolean {
  return taskValue(t.snapshot) !== undefined;
}

export function taskFate(t: TaskSlot): string {
  const v = t.snapshot.value;
  return typeof v === 'string' ? v : Object.entries(v).map(([k, sub]) => `${k} ${typeof sub === 'string' ? sub : ''}`.trim())[0] ?? 'unknown';
}

function tilesOf(t: TaskSnapshot): TilesReport | undefined {
  const v = taskValue(t);
  if (!v) return undefined;
  return v.tileData === 'live' ? 'intact' : v.tileData === 'lost' ? 'lost' : 'init';
}

function bufferOf(t: TaskSnapshot): 'default' | 'large' | undefined {
  const v = taskValue(t);
  if (!v) return undefined;
  return v.buffer === 'allocated' ? 'large' : 'default';
}

function sigillHandler(p: ProcessSnapshot): SigillHandler {
  const d = processValue(p).sigillDisposition;
  return d === 'requestPermission' ? 'request-permission' : d === 'skip' ? 'skip' : 'default';
}

function sigsegvHandler(p: ProcessSnapshot): SigsegvHandler {
  return processValue(p).sigsegvDisposition === 'skip' ? 'skip' : 'default';
}

/**
 * Where each task name of a state lives. Tasks and processes are only ever appended, never removed or
 * moved, so a name's position never changes once it has one: a state made by a step shares its
 * predecessor's map and appends the names the step created. `size` says how many of the map's
 * entries (those with an ordinal below it) belong to this state; a state whose sibling appended first
 * copies its own entries instead (explore branches, simulate does not).
 */
interface NameIndex {
  readonly positions: Map<string, { readonly pi: number; readonly ti: number; readonly ordinal: number }>;
  readonly size: number;
}

/** A state this small is searched directly (the explorer's states all are); a larger one through its NameIndex. */
const DIRECT_SEARCH_PROCESSES = 4;
const DIRECT_SEARCH_TASKS = 8;

/** A process with more tasks than this is not memoised per local step: its key would cost more than the step. */
const LOCAL_MEMO_MAX_TASKS = 16;

const TASK_TILE_REPORTING_OPS = new Set(['TOUCH', 'XRSTOR', 'CHECK_TILES', 'CONTEXT_SWITCH', 'SIGRETURN', 'TILERELEASE', 'PTRACE_SETREGSET', 'SIGNAL', 'LDTILECFG', 'PREALLOC']);

/** The model of one variant on one platform: an initial state and a step function. */
export class SystemModel {
  readonly task: Chart<TaskMachine>;
  readonly process: Chart<ProcessMachine>;
  /** Canonical keys of process slots (explore/canonical.ts), memoised like the chart steps. */
  readonly slotKeys = new WeakMap<ProcessSlot, string>();
  private readonly localSteps = new Map<string, LocalEffect>();
  private readonly nameIndexes = new WeakMap<SystemState, NameIndex>();

  /**
   * `memoise: false` runs xstate's transition() for every chart step and every system step, as a
   * plain xstate user would: the baseline `npm run bench` measures the memo tables against.
   */
  constructor(
    readonly variant: Variant,
    readonly platform: PlatformProfile,
    private readonly options: { readonly memoise: boolean } = { memoise: true },
  ) {
    this.task = new Chart('task', variant.task, options.memoise);
    this.process = new Chart('process', variant.process, options.memoise);
  }

  /** One process whose main thread is `mainTask`, memory available, no buffers. */
  initial(mainTask: string): SystemState {
    const [process, task] = this.initialSteps();
    return {
      memory: 'available',
      processes: [{ snapshot: process.snapshot, tasks: [{ name: mainTask, snapshot: task.snapshot, suspended: false, stuck: false }], vforkParent: null }],
      buffers: { allocated: 0, freed: 0, leaked: 0 },
    };
  }

  /** The chart starts that make the initial state: its trace, for coverage. */
  initialTrace(): readonly ChartStepTrace[] {
    return this.initialSteps();
  }

  private initialSteps(): readonly [ChartStep<ProcessSnapshot>, ChartStep<TaskSnapshot>] {
    const input: TaskInput = { permitted: false, altstack: 'none', tileConfig: false, memory: 'available', frames: [] };
    return [this.process.start(undefined), this.task.start(input)];
  }

  hasOp(op: string): boolean {
    return op !== 'PREALLOC' || this.variant.extraOps.includes(op);
  }

  /** One step as `simulate` shows it: the next state and what the kernel would report, numbered `index`. */
  step(state: SystemState, step: Step, index: number): StepResult {
    const r = this.next(state, step);
    if (!r.ok) return { ok: false, error: `step ${index}: ${r.error}`, ...(r.field !== undefined ? { field: r.field } : {}) };
    const observation: Observation = {
      step: index,
      op: step.op,
      ...(step.task !== undefined ? { task: step.task } : {}),
      ...r.outcome,
      ...(step.op === 'EXEC' || step.op === 'EXIT' ? { leakedBuffers: r.state.buffers.leaked } : {}),
    };
    return { ok: true, state: r.state, observation };
  }

  /** Where task `name` is in `state`: its process and its place there; undefined when no task has the name. */
  locate(state: SystemState, name: string): { readonly pi: number; readonly ti: number } | undefined {
    const ps = state.processes;
    if (ps.length <= DIRECT_SEARCH_PROCESSES && ps.every((p) => p.tasks.length <= DIRECT_SEARCH_TASKS)) {
      for (let pi = 0; pi < ps.length; pi++) {
        const ti = ps[pi]!.tasks.findIndex((t) => t.name === name);
        if (ti >= 0) return { pi, ti };
      }
      return undefined;
    }
    const index = this.namesOf(state);
    const at = index.positions.get(name);
    return at !== undefined && at.ordinal < index.size ? { pi: at.pi, ti: at.ti } : undefined;
  }

  private namesOf(state: SystemState): NameIndex {
    const known = this.nameIndexes.get(state);
    if (known) return known;
    const positions: NameIndex['positions'] = new Map();
    state.processes.forEach((p, pi) =>
      p.tasks.forEach((t, ti) => {
        // The first task of a name wins, as a search from the front finds it.
        if (!positions.has(t.name)) positions.set(t.name, { pi, ti, ordinal: positions.size });
      }),
    );
    const index = { positions, size: positions.size };
    this.nameIndexes.set(state, index);
    return index;
  }

  /** Hands `before`'s name index on to `after`, made from it by a step of process `pi`, with the names the step added. */
  private inheritNames(before: SystemState, after: SystemState, pi: number): void {
    const index = this.nameIndexes.get(before);
    if (!index) return;
    const added: [string, number, number][] = [];
    const from = before.processes[pi]!.tasks.length;
    const tasks = after.processes[pi]!.tasks;
    for (let ti = from; ti < tasks.length; ti++) added.push([tasks[ti]!.name, pi, ti]);
    for (let q = before.processes.length; q < after.processes.length; q++) after.processes[q]!.tasks.forEach((t, ti) => added.push([t.name, q, ti]));
    if (added.length === 0) {
      this.nameIndexes.set(after, index);
      return;
    }
    let { positions, size } = index;
    // Another state made from `before` appended first: copy this state's own entries.
    if (positions.size !== size) positions = new Map([...positions].filter(([, at]) => at.ordinal < size));
    for (const [name, q, ti] of added) if (!positions.has(name)) positions.set(name, { pi: q, ti, ordinal: size++ });
    this.nameIndexes.set(after, { positions, size });
  }

  /**
   * The bounds of src/scenario/limits.ts, checked before the step runs: threads per process,
   * processes, nested signal handlers. The explorer's configurations stay far below them.
   */
  private beyondLimits(state: SystemState, proc: ProcessSlot, task: TaskSlot, step: Step): { error: string; field: string } | undefined {
    if (step.op === 'CLONE_THREAD' && proc.tasks.length >= MAX_THREADS_PER_PROCESS)
      return {
        error: `field "child": the process of task ${describeValue(task.name)} already has ${proc.tasks.length} threads (exited ones count); a process has at most ${MAX_THREADS_PER_PROCESS}`,
        field: 'child',
      };
    if ((step.op === 'FORK' || step.op === 'VFORK') && state.processes.length >= MAX_PROCESSES)
      return { error: `field "child": there are already ${state.processes.length} processes (ended ones count); a scenario has at most ${MAX_PROCESSES}`, field: 'child' };
    if (step.op === 'SIGNAL') {
      const depth = (task.snapshot.context as TaskContext).frames.length;
      if (depth >= MAX_SIGNAL_DEPTH)
        return { error: `field "op": task ${describeValue(task.name)} already runs ${depth} nested signal handlers; a task runs at most ${MAX_SIGNAL_DEPTH}`, field: 'op' };
    }
    return undefined;
  }

  /** One step as the explorer needs it: the next state and the outcome, without numbering. */
  next(state: SystemState, step: Step): NextResult {
    if (!this.hasOp(step.op)) return { ok: false, error: `field "op": ${step.op} does not exist in variant ${this.variant.name}`, field: 'op' };
    if (step.op === 'OOM_BEGIN' || step.op === 'OOM_END') {
      const after = { ...state, memory: step.op === 'OOM_BEGIN' ? ('exhausted' as const) : ('available' as const) };
      const index = this.nameIndexes.get(state);
      if (index) this.nameIndexes.set(after, index);
      return { ok: true, state: after, outcome: OK, trace: [], owners: [] };
    }
    const name = step.task ?? '';
    const at = this.locate(state, name);
    if (at === undefined)
      return { ok: false, error: `field "task": unknown task ${describeValue(name)} (tasks come from the first step, CLONE_THREAD, FORK or VFORK)`, field: 'task' };
    const { pi, ti } = at;
    const proc = state.processes[pi]!;
    const task = proc.tasks[ti]!;
    if (!isAlive(task)) return { ok: false, error: `field "task": task ${describeValue(name)} is no longer running (${taskFate(task)})`, field: 'task' };
    if (task.suspended) return { ok: false, error: `field "task": task ${describeValue(name)} is suspended in vfork until its child execs or exits`, field: 'task' };
    if (task.stuck) return { ok: false, error: `field "task": task ${describeValue(name)} is stuck in an endless SIGILL refault`, field: 'task' };
    const beyond = this.beyondLimits(state, proc, task, step);
    if (beyond) return { ok: false, ...beyond };
    const memoKey = this.localStepKey(state, pi, ti, step);
    const known = memoKey === undefined ? undefined : this.localSteps.get(memoKey);
    if (known) {
      const replayed = this.replay(state, pi, step, known);
      this.inheritNames(state, replayed, pi);
      return { ok: true, state: replayed, outcome: known.outcome, trace: known.trace, owners: known.owners };
    }
    const w = new World(this, state, pi);
    const result = w.apply(step, ti);
    if (typeof result === 'string') return { ok: false, error: result, ...(result.startsWith('field "') ? { field: result.slice(7, result.indexOf('"', 7)) } : {}) };
    const after = w.state();
    this.inheritNames(state, after, pi);
    const afterTask = after.processes[pi]!.tasks[ti];
    const outcome = outcomeOf(step.op, result, afterTask && isAlive(afterTask) ? afterTask.snapshot : undefined);
    if (memoKey !== undefined) {
      const b = after.buffers;
      const buffers = { allocated: b.allocated - state.buffers.allocated, freed: b.freed - state.buffers.freed, leaked: b.leaked - state.buffers.leaked };
      this.localSteps.set(memoKey, { process: after.processes[pi]!, buffers, outcome, trace: w.trace, owners: w.owners });
    }
    return { ok: true, state: after, outcome, trace: w.trace, owners: w.owners };
  }

  /**
   * A step's effect depends on nothing outside its own process unless it creates a process or
   * touches a vfork relation, so it is memoised per (memory, process, task position, step) when
   * other processes exist: then the same process recurs beside many different others.
   * Task names are left out: the effect is replayed onto whichever names the state has.
   */
  private localStepKey(state: SystemState, pi: number, ti: number, step: Step): string | undefined {
    const p = state.processes[pi]!;
    if (!this.options.memoise || step.op === 'FORK' || step.op === 'VFORK' || p.vforkParent !== null) return undefined;
    // With one process the state is little more than that process, so the table would only grow.
    if (state.processes.length < 2 || p.tasks.length > LOCAL_MEMO_MAX_TASKS) return undefined;
    if (step.op === 'CLONE_THREAD' && this.locate(state, String(step.fields['child'])) !== undefined) return undefined;
    let k = `${state.memory}|${this.process.id(p.snapshot)}|${ti}|${step.op}|`;
    for (const t of p.tasks) k += `${t.suspended ? 'S' : ''}${t.stuck ? 'H' : ''}${this.task.id(t.snapshot)},`;
    for (const f in step.fields) if (f !== 'child') k += `${f}=${String(step.fields[f])},`;
    return k;
  }

  private replay(state: SystemState, pi: number, step: Step, effect: LocalEffect): SystemState {
    const before = state.processes[pi]!;
    const tasks = effect.process.tasks.map((t, i) => {
      const name = before.tasks[i]?.name ?? (step.fields['child'] as string);
      return t.name === name ? t : { ...t, name };
    });
    const processes = [...state.processes];
    const slot = { ...effect.process, tasks };
    // The canonical key ignores names, so the replayed slot has the key of the one it copies.
    const slotKey = this.slotKeys.get(effect.process);
    if (slotKey !== undefined) this.slotKeys.set(slot, slotKey);
    processes[pi] = slot;
    const b = state.buffers;
    const d = effect.buffers;
    const buffers = d.allocated === 0 && d.freed === 0 && d.leaked === 0 ? b : { allocated: b.allocated + d.allocated, freed: b.freed + d.freed, leaked: b.leaked + d.leaked };
    return { memory: state.memory, processes, buffers };
  }
}

/** What a step did inside its own process, without the names and counts of the state it ran in. */
interface LocalEffect {
  readonly process: ProcessSlot;
  readonly buffers: BufferCounts;
  readonly outcome: Outcome;
  readonly trace: readonly ChartStepTrace[];
  readonly owners: readonly TraceOwner[];
}

const OK: Outcome = { outcome: 'ok' };

function outcomeOf(op: string, result: Result, after: TaskSnapshot | undefined): Outcome {
  return {
    outcome: result.result,
    ...(result.si_code ? { si_code: result.si_code } : {}),
    ...(result.fatal !== undefined ? { fatal: result.fatal } : {}),
    ...(result.handler ? { handler: result.handler } : {}),
    ...(result.hang ? { hang: true } : {}),
    ...(result.bitmap ? { bitmap: result.bitmap } : {}),
    ...(after && TASK_TILE_REPORTING_OPS.has(op) ? { tiles: tilesOf(after) } : {}),
    ...(result.frameHasTiles !== undefined ? { frameHasTiles: result.frameHasTiles } : {}),
    ...(after && opActsOnTask(op) ? { buffer: bufferOf(after) } : {}),
  };
}

function opActsOnTask(op: string): boolean {
  return !['GET_SUPP', 'GET_PERM', 'REQ_PERM', 'GET_GUEST_PERM', 'REQ_GUEST_PERM', 'VCPU_CREATE', 'SET_DISPOSITION', 'EXIT'].includes(op);
}

interface Result extends TaskOutcome {
  readonly handler?: SigillHandler | SigsegvHandler;
  readonly hang?: boolean;
}

/** A scratch copy of the system for one step: the only place that mutates, and only its own arrays. */
class World {
  private memory: Memory;
  private processes: ProcessSlot[];
  private buffers: BufferCounts;
  /** Every chart step this system step took, in order. */
  readonly trace: ChartStepTrace[] = [];
  /** Whose chart each trace entry stepped (see TraceOwner). */
  readonly owners: TraceOwner[] = [];

  private traced(step: ChartStepTrace, owner: TraceOwner): void {
    this.trace.push(step);
    this.owners.push(owner);
  }

  constructor(
    private readonly model: SystemModel,
    /** The state the step starts from: its names, looked up through the model's index. */
    private readonly before: SystemState,
    private readonly pi: number,
  ) {
    this.memory = before.memory;
    this.processes = [...before.processes];
    this.buffers = before.buffers;
  }

  state(): SystemState {
    return { memory: this.memory, processes: this.processes, buffers: this.buffers };
  }

  private get proc(): ProcessSlot {
    return this.processes[this.pi]!;
  }

  private setProc(p: ProcessSlot, at = this.pi): void {
    this.processes[at] = p;
  }

  private account(changes: readonly BufferChange[]): void {
    for (const c of changes) {
      const b = this.buffers;
      this.buffers =
        c === 'allocated' ? { ...b, allocated: b.allocated + 1 } : c === 'freed' ? { ...b, freed: b.freed + 1 } : { ...b, leaked: b.leaked + 1 };
    }
  }

  private sendTask(ti: number, event: TaskEvent, at = this.pi): TaskOutcome | undefined {
    const p = this.processes[at]!;
    const t = p.tasks[ti]!;
    const r = this.model.task.send(t.snapshot, event);
    this.traced(r, at === this.pi ? ti : 'other');
    this.account(r.bufferChanges);
    // Refusals and queries leave the chart where it was: keep the slot, and its memoised key.
    if (r.snapshot === t.snapshot) return r.outcome;
    const tasks = [...p.tasks];
    tasks[ti] = { ...t, snapshot: r.snapshot };
    this.setProc({ ...p, tasks }, at);
    return r.outcome;
  }

  private sendProcess(event: ProcessEvent): { outcome: TaskOutcome | undefined; granted: boolean } {
    const r = this.model.process.send(this.proc.snapshot, event);
    this.traced(r, 'process');
    if (r.snapshot !== this.proc.snapshot) this.setProc({ ...this.proc, snapshot: r.snapshot });
    return { outcome: r.outcome, granted: r.permissionGranted };
  }

  private liveTaskIndexes(at = this.pi): number[] {
    return this.processes[at]!.tasks.flatMap((t, i) => (isAlive(t) ? [i] : []));
  }

  private killProcess(by: 'SIGILL' | 'SIGSEGV'): void {
    for (const i of this.liveTaskIndexes()) this.sendTask(i, { type: 'KILLED', by });
    this.releaseVforkParent();
  }

  private releaseVforkParent(): void {
    const parent = this.proc.vforkParent;
    if (parent === null) return;
    this.setProc({ ...this.proc, vforkParent: null });
    // The parent lived before this step, at a position that never changes.
    const at = this.model.locate(this.before, parent);
    if (at === undefined) return;
    const p = this.processes[at.pi]!;
    const tasks = [...p.tasks];
    tasks[at.ti] = { ...tasks[at.ti]!, suspended: false };
    this.setProc({ ...p, tasks }, at.pi);
  }

  private smallAltstackInProcess(): boolean {
    // validate_sigaltstack(): any installed altstack below the AMX frame size refuses the request.
    const minimum = permissionRequestAltstackMinimum(this.model.platform);
    return this.liveTaskIndexes().some((i) => {
      const a = taskValue(this.proc.tasks[i]!.snapshot)?.altstack;
      return a !== undefined && a !== 'none' && this.model.platform.altstackBytes[a as AltstackClass] < minimum;
    });
  }

  private requestPermission(feature: number): TaskOutcome | undefined {
    const r = this.sendProcess({ type: 'REQ_PERM', feature, smallAltstackInProcess: this.smallAltstackInProcess(), memory: this.memory });
    if (r.granted) for (const i of this.liveTaskIndexes()) this.sendTask(i, { type: 'PERMISSION_GRANTED', memory: this.memory });
    return r.outcome;
  }

  /** Whether a task of the state the step started from has the name (a step creates at most one task). */
  private nameTaken(name: string): boolean {
    return this.model.locate(this.before, name) !== undefined;
  }

  /**
   * What a new task copies from the one that makes it: clone a new thread (no altstack, no handler),
   * fork the whole thread (its altstack and the handlers it is running), vfork the altstack only (the
   * model does not follow a vfork child through its parent's handler frames).
   */
  private taskInput(parent: TaskSlot, how: 'clone' | 'fork' | 'vfork', permitted: boolean): TaskInput {
    const v = taskValue(parent.snapshot)!;
    return {
      permitted,
      altstack: how !== 'clone' && v.altstack !== 'none' ? (v.altstack as AltstackClass) : 'none',
      tileConfig: v.tileConfig === 'configured',
      memory: this.memory,
      frames: how === 'fork' ? (parent.snapshot.context as TaskContext).frames : [],
    };
  }

  private hostPermitted(p: ProcessSnapshot): boolean {
    return processValue(p).hostPermission === 'permitted';
  }

  /** Applies a step to task `ti` of this process; a string is a scenario error. */
  apply(step: Step, ti: number): Result | string {
    const f = step.fields;
    const parent = this.proc.tasks[ti]!;
    switch (step.op) {
      case 'GET_SUPP':
      case 'GET_PERM':
      case 'GET_GUEST_PERM':
      case 'VCPU_CREATE':
        return this.sendProcess({ type: step.op }).outcome ?? 'no outcome';
      case 'REQ_PERM':
        return this.requestPermission(f['feature'] as number) ?? 'no outcome';
      case 'REQ_GUEST_PERM':
        return this.sendProcess({ type: 'REQ_GUEST_PERM', feature: f['feature'] as number }).outcome ?? 'no outcome';
      case 'SET_DISPOSITION': {
        const signal = f['signal'] as 'SIGILL' | 'SIGSEGV';
        const handler = f['handler'] as string;
        if (signal === 'SIGSEGV' && handler === 'request-permission') return 'field "handler": a SIGSEGV handler cannot be request-permission';
        return this.sendProcess({ type: 'SET_DISPOSITION', signal, handler } as ProcessEvent).outcome ?? 'no outcome';
      }
      case 'CLONE_THREAD': {
        const child = f['child'] as string;
        if (this.nameTaken(child)) return `field "child": task name ${describeValue(child)} is already used`;
        const r = this.model.task.start(this.taskInput(parent, 'clone', this.hostPermitted(this.proc.snapshot)));
        this.traced(r, this.proc.tasks.length);
        if (r.outcome) return r.outcome;
        this.account(r.bufferChanges);
        this.setProc({ ...this.proc, tasks: [...this.proc.tasks, { name: child, snapshot: r.snapshot, suspended: false, stuck: false }] });
        return { result: 'ok' };
      }
      case 'FORK':
      case 'VFORK': {
        const child = f['child'] as string;
        if (this.nameTaken(child)) return `field "child": task name ${describeValue(child)} is already used`;
        const pv = processValue(this.proc.snapshot);
        const input: ProcessInput = {
          hostPermitted: pv.hostPermission === 'permitted',
          guestPermitted: pv.guestPermission === 'permitted',
          guestLocked: pv.guestPermissionLock === 'locked',
          sigill: sigillHandler(this.proc.snapshot),
          sigsegv: sigsegvHandler(this.proc.snapshot),
        };
        const t = this.model.task.start(this.taskInput(parent, step.op === 'FORK' ? 'fork' : 'vfork', input.hostPermitted));
        this.traced(t, 'other');
        if (t.outcome) return t.outcome;
        this.account(t.bufferChanges);
        const vfork = step.op === 'VFORK';
        const started = this.model.process.start(input);
        this.traced(started, 'other');
        this.processes.push({
          snapshot: started.snapshot,
          tasks: [{ name: child, snapshot: t.snapshot, suspended: false, stuck: false }],
          vforkParent: vfork ? parent.name : null,
        });
        if (vfork) {
          const tasks = [...this.proc.tasks];
          tasks[ti] = { ...parent, suspended: true };
          this.setProc({ ...this.proc, tasks });
        }
        return { result: 'ok' };
      }
      case 'EXEC': {
        if (f['fails'] === true) return { result: 'ENOENT' };
        // de_thread(): the other threads die before the exec'ing thread becomes the leader.
        for (const i of this.liveTaskIndexes()) if (i !== ti) this.sendTask(i, { type: 'KILLED', by: 'exec' });
        this.sendProcess({ type: 'EXEC' });
        this.sendTask(ti, { type: 'EXEC' });
        this.releaseVforkParent();
        return { result: 'ok' };
      }
      case 'EXIT': {
        const r = this.sendTask(ti, { type: 'EXIT' });
        if (this.liveTaskIndexes().length === 0) this.releaseVforkParent();
        return r ?? 'no outcome';
      }
      case 'TOUCH':
        return this.instruction(ti, { type: 'TOUCH', memory: this.memory });
      case 'XRSTOR':
        return this.instruction(ti, { type: 'XRSTOR', tileBits: f['tileBits'] as XrstorTileBits, memory: this.memory });
      case 'LDTILECFG':
        return this.instruction(ti, { type: 'LDTILECFG', palette: f['palette'] as number });
      case 'TILERELEASE':
        return this.instruction(ti, { type: 'TILERELEASE' });
      case 'SIGALTSTACK':
        return this.sendTask(ti, { type: 'SIGALTSTACK', size: f['size'] as AltstackClass | 'disable' }) ?? 'no outcome';
      case 'SIGNAL': {
        const r = this.sendTask(ti, { type: 'SIGNAL', onstack: f['onstack'] === true });
        if (r?.fatal) this.killProcess('SIGSEGV');
        return r ?? 'no outcome';
      }
      case 'SIGRETURN': {
        const r = this.sendTask(ti, { type: 'SIGRETURN', tileBits: f['tileBits'] as 'keep' | 'forge' | 'clear', xsaveHeader: f['xsaveHeader'] as 'intact' | 'corrupt' });
        // A bad frame (forged tile bits outside XCR0, a corrupt XSAVE header) forces SIGSEGV, which meets its disposition.
        return r ? this.fault(ti, r) : `field "op": task ${describeValue(parent.name)} is not running a signal handler`;
      }
      case 'PTRACE_SETREGSET': {
        const tileBits = f['tileBits'] as 'config' | 'data';
        const length = f['length'] as 'full' | 'short';
        return this.setRegset(ti, tileBits, length);
      }
      case 'CHECK_TILES':
      case 'PTRACE_GETREGSET':
      case 'CONTEXT_SWITCH':
        return this.sendTask(ti, { type: step.op }) ?? 'no outcome';
      case 'PREALLOC':
        return this.sendTask(ti, { type: 'PREALLOC', memory: this.memory }) ?? 'no outcome';
      default:
        return `field "op": ${step.op} is not handled by the system model`;
    }
  }

  // regset.c:xstateregs_set(): the full UABI size or EFAULT; tile data only into an expanded tracee.
  private setRegset(ti: number, tileBits: 'config' | 'data', length: 'full' | 'short'): Result {
    if (length === 'short') return { result: 'EFAULT' };
    // source: xstate.c:validate_user_xstate_header(): XSTATE_BV bits outside XCR0 are EINVAL. Without
    // AMX, XCR0 has neither bit 17 nor bit 18, so any tile config or data is refused.
    if (!this.model.platform.amxUsable) return { result: 'EINVAL' };
    const v = taskValue(this.proc.tasks[ti]!.snapshot)!;
    if (tileBits === 'data' && v.buffer !== 'allocated') return { result: 'EINVAL' };
    // Modelled as the tracee's own register loads: the tracer writes the task's pattern or just a config.
    this.sendTask(ti, { type: 'LDTILECFG', palette: 1 });
    if (tileBits === 'data') this.sendTask(ti, { type: 'TOUCH', memory: this.memory });
    return { result: 'ok' };
  }

  /** A tile instruction: the task runs it, and a fault meets the process's disposition. */
  private instruction(ti: number, event: TaskEvent): Result | string {
    return this.fault(ti, this.sendTask(ti, event), event);
  }

  private markStuck(ti: number): void {
    const tasks = [...this.proc.tasks];
    tasks[ti] = { ...tasks[ti]!, stuck: true };
    this.setProc({ ...this.proc, tasks });
  }

  /**
   * A fault signal meets the process's disposition: death, a skipping handler, or a handler that asks
   * for permission and returns to the faulting instruction (`retry`), which then runs again.
   */
  private fault(ti: number, r: TaskOutcome | undefined, retry?: TaskEvent): Result | string {
    if (!r) return 'no outcome';
    if (!r.fault) return r;
    const signal = r.result as 'SIGILL' | 'SIGSEGV';
    const handler = signal === 'SIGILL' ? sigillHandler(this.proc.snapshot) : sigsegvHandler(this.proc.snapshot);
    const base: Result = { result: signal, ...(r.si_code ? { si_code: r.si_code } : {}) };
    if (handler === 'default') {
      // force_sig_fault(): a forced signal with the default action kills the whole process.
      this.killProcess(signal);
      return { ...base, fatal: true };
    }
    const delivered = this.sendTask(ti, { type: 'SIGNAL', onstack: false });
    if (delivered?.fatal) {
      // The handler's frame did not fit: force_sigsegv() kills the process (row 6h).
      this.killProcess('SIGSEGV');
      return { result: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: true };
    }
    if (handler === 'request-permission') this.requestPermission(18);
    this.sendTask(ti, { type: 'SIGRETURN', tileBits: 'keep' });
    if (handler !== 'request-permission' || retry === undefined) return { ...base, fatal: false, handler };
    // The handler returns to the faulting instruction, which runs again: it succeeds once the request
    // was granted (row 2e). If it raises SIGILL again, nothing has changed for the next round either
    // (the same refusal, the same #UD), so the thread refaults forever (rows 2d; no-amx N14, N15).
    const again = this.sendTask(ti, retry);
    if (!again?.fault) return { ...base, fatal: false, handler };
    if (again.result === 'SIGILL') {
      this.markStuck(ti);
      return { ...base, fatal: false, handler, hang: true };
    }
    // Any other fault on the retried instruction (SIGSEGV: no memory for the buffer) is reported as
    // itself, with its own disposition.
    return this.fault(ti, again);
  }
}

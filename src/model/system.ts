// The model of one variant on one platform: an initial state and a pure step function. A step is
// checked, routed by its op's row of the op table to its kernel rule (rules.ts), and memoised: per
// chart step (chart.ts), per step that touched its own task alone (own-task-steps.ts), and per step
// local to one process when other processes exist.

import { OPS, opSpec, variantHasOp, type OpSpec } from '../../machines/kernel-events.js';
import type { PlatformProfile } from '../../machines/platform.js';
import { NEVER_SET_ALTSTACK, RESET_ALTSTACK, type Altstack, type TaskInput } from '../../machines/task-types.js';
import type { ProcessMachine, TaskMachine, Variant } from '../../machines/variants.js';
import type { Step } from '../scenario/format.js';
import { describeValue } from '../scenario/describe.js';
import { MAX_PROCESSES, MAX_SIGNAL_DEPTH, MAX_THREADS_PER_PROCESS } from '../scenario/limits.js';
import { Chart, type ChartStep, type ChartStepTrace, type TraceOwner } from './chart.js';
import { TaskNames, type TaskPosition } from './names.js';
import { outcomeOf, showsLeakedBuffers, type Observation, type Outcome } from './observation.js';
import { OwnTaskSteps, type OwnTaskEntry, type PlaceSlots } from './own-task-steps.js';
import { ROUTE_RULES, type RouteRule } from './rules.js';
import { addBuffers, bufferDelta, framesOf, instructionOf, isAlive, named, taskFate, type BufferCounts, type Instruction, type ProcessSlot, type ProcessSnapshot, type SystemState, type TaskSlot, type TaskSnapshot } from './state.js';
import { StepEvents } from './chart-events.js';
import { World } from './world.js';

export type NextResult =
  | { readonly ok: true; readonly state: SystemState; readonly outcome: Outcome; readonly trace: readonly ChartStepTrace[]; readonly owners: readonly TraceOwner[] }
  | { readonly ok: false; readonly error: string; readonly field?: string };

export type StepResult =
  | { readonly ok: true; readonly state: SystemState; readonly observation: Observation }
  | { readonly ok: false; readonly error: string; readonly field?: string };

/** What a step did inside its own process, without the names and counts of the state it ran in. */
interface LocalEffect {
  readonly process: ProcessSlot;
  readonly buffers: BufferCounts;
  readonly outcome: Outcome;
  readonly trace: readonly ChartStepTrace[];
  readonly owners: readonly TraceOwner[];
}

/** A task as the step table looks its steps up: see SystemModel.tableRow. */
export interface TableRow {
  readonly state: SystemState;
  readonly proc: ProcessSlot;
  readonly task: TaskSlot;
  readonly pi: number;
  readonly ti: number;
  readonly taskId: number;
  readonly processId: number;
  /** The step table's slots for the task's steps (OwnTaskSteps.slotsOf); none without memo tables. */
  readonly slots: PlaceSlots | undefined;
}

/** A step as the step table knows it, but for its task and the name of the task it makes: see SystemModel.stepKind. */
export interface StepKind {
  readonly spec: OpSpec;
  /** The step table's number for the step's op and fields (OwnTaskSteps.stepNumber). */
  readonly number: number;
}

/** A process with more tasks than this is not memoised per local step: its key would cost more than the step. */
const LOCAL_MEMO_MAX_TASKS = 16;

type Failure = { readonly ok: false; readonly error: string; readonly field: string };

function failure(field: string, error: string): Failure {
  return { ok: false, error: `field "${field}": ${error}`, field };
}

export interface ModelOptions {
  /**
   * false runs xstate's transition() for every chart step and every system step, as a plain xstate
   * user would: the baseline `npm run bench` measures the memo tables against.
   */
  readonly memoise: boolean;
  /**
   * false: no step of this run ends a signal handler (no op returnsFromHandler), so no saved
   * SS_DISABLE flag is ever read, and a new thread starts with the first thread's altstack rather than
   * a copy of it with that flag set (copy_process's sas_ss_reset): one state where there would be two.
   * Only a search may say so, and only for ops that cannot end a handler (explore() checks).
   */
  readonly handlersReturn?: boolean;
}

export class SystemModel {
  readonly task: Chart<TaskMachine>;
  readonly process: Chart<ProcessMachine>;
  /** Small numbers for the instructions stuck tasks refault on, by Instruction.key. */
  private readonly instructionIds = new Map<string, number>();
  private readonly localSteps = new Map<string, LocalEffect>();
  private readonly ownTaskSteps = new OwnTaskSteps();
  /** The ops of the variant, each with its row of the op table and its route's rule: looked up on every step. */
  private readonly routes: ReadonlyMap<string, { readonly spec: OpSpec; readonly rule: RouteRule }>;
  private readonly names = new TaskNames();
  /** The chart events named like steps' ops, made once (rules.ts, sameNamedEvent). */
  readonly stepEvents = new StepEvents();

  /** The altstack a new thread starts with (see ModelOptions.handlersReturn). */
  readonly newThreadAltstack: Altstack;
  readonly handlersReturn: boolean;

  constructor(
    readonly variant: Variant,
    readonly platform: PlatformProfile,
    private readonly options: ModelOptions = { memoise: true },
  ) {
    this.handlersReturn = options.handlersReturn !== false;
    this.newThreadAltstack = this.handlersReturn ? RESET_ALTSTACK : NEVER_SET_ALTSTACK;
    this.routes = new Map(OPS.filter((o) => variantHasOp(variant.name, o.op)).map((o) => [o.op, { spec: o, rule: ROUTE_RULES[o.route] }]));
    this.task = new Chart('task', variant.task, options.memoise);
    this.process = new Chart('process', variant.process, options.memoise);
  }

  /** One process whose main thread is `mainTask`, memory available, no buffers. */
  initial(mainTask: string): SystemState {
    const [process, task] = this.initialSteps();
    return {
      memory: 'available',
      processes: [{ snapshot: process.snapshot, tasks: [{ name: mainTask, snapshot: task.snapshot, suspended: false, stuckOn: null }], vforkParent: null }],
      buffers: { allocated: 0, freed: 0, leaked: 0 },
    };
  }

  /** The chart starts that make the initial state: its trace, for coverage. */
  initialTrace(): readonly ChartStepTrace[] {
    return this.initialSteps();
  }

  private initialSteps(): readonly [ChartStep<ProcessSnapshot>, ChartStep<TaskSnapshot>] {
    const input: TaskInput = { permitted: false, altstack: NEVER_SET_ALTSTACK, tileConfig: false, memory: 'available', frames: [], leader: true };
    return [this.process.start(undefined), this.task.start(input)];
  }

  /** How many step effects the step table keeps (own-task-steps.ts). */
  get stepTableSize(): number {
    return this.ownTaskSteps.size;
  }

  /** A small number for the instruction a stuck task refaults on (0: none): canonical keys are built from them. */
  instructionId(instruction: Instruction | null): number {
    if (instruction === null) return 0;
    const known = this.instructionIds.get(instruction.key);
    if (known !== undefined) return known;
    const id = this.instructionIds.size + 1;
    this.instructionIds.set(instruction.key, id);
    return id;
  }

  hasOp(op: string): boolean {
    return this.routes.has(op);
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
      ...(showsLeakedBuffers(step.op) ? { leakedBuffers: r.state.buffers.leaked } : {}),
    };
    return { ok: true, state: r.state, observation };
  }

  /** Where task `name` is in `state`: its process and its place there; undefined when no task has the name. */
  locate(state: SystemState, name: string): TaskPosition | undefined {
    return this.names.locate(state, name);
  }

  /**
   * The bounds of src/scenario/limits.ts, checked before the step runs: threads per process,
   * processes, nested signal handlers. The explorer's configurations stay far below them.
   */
  private beyondLimits(state: SystemState, proc: ProcessSlot, task: TaskSlot, spec: OpSpec, step: Step): Failure | undefined {
    const creates = spec.creates;
    if (creates === 'thread' && proc.tasks.length >= MAX_THREADS_PER_PROCESS)
      return failure(
        'child',
        `the process of task ${describeValue(task.name)} already has ${proc.tasks.length} threads (exited ones count); a process has at most ${MAX_THREADS_PER_PROCESS}`,
      );
    if (creates === 'process' && state.processes.length >= MAX_PROCESSES)
      return failure('child', `there are already ${state.processes.length} processes (ended ones count); a scenario has at most ${MAX_PROCESSES}`);
    if (step.op === 'SIGNAL') {
      const depth = framesOf(task).length;
      if (depth >= MAX_SIGNAL_DEPTH) return failure('op', `task ${describeValue(task.name)} already runs ${depth} nested signal handlers; a task runs at most ${MAX_SIGNAL_DEPTH}`);
    }
    return undefined;
  }

  /** Why task `name` cannot take `step` in `state`, or where it is. */
  private actingTask(state: SystemState, name: string, step: Step): TaskPosition | Failure {
    const at = this.locate(state, name);
    if (at === undefined) return failure('task', `unknown task ${describeValue(name)} (tasks come from the first step, CLONE_THREAD, FORK or VFORK)`);
    return this.refusal(state.processes[at.pi]!.tasks[at.ti]!, step) ?? at;
  }

  /** Why `task` cannot take `step`: it does not run, waits in vfork, or is stuck on another instruction. */
  private refusal(task: TaskSlot, step: Step): Failure | undefined {
    if (!isAlive(task)) return failure('task', `task ${describeValue(task.name)} is no longer running (${taskFate(task)})`);
    if (task.suspended) return failure('task', `task ${describeValue(task.name)} is suspended in vfork until its child execs or exits`);
    // A stuck task's one step is the instruction it refaults on: it faults again (the lasso's cycle).
    if (task.stuckOn !== null && task.stuckOn.key !== instructionOf(step).key)
      return failure('task', `task ${describeValue(task.name)} is stuck in an endless SIGILL refault on ${task.stuckOn.key}: that is the only step it takes`);
    return undefined;
  }

  /**
   * Task `ti` of process `pi` of `state` as the step table looks its steps up (tableEntry), its
   * chart's and its process chart's numbers found once for all of them; undefined for a task that
   * cannot step (refusal(): it does not run, or waits in vfork; a stuck task's steps have no key, see
   * ownTaskKey).
   */
  tableRow(state: SystemState, pi: number, ti: number): TableRow | undefined {
    const proc = state.processes[pi];
    const task = proc?.tasks[ti];
    if (proc === undefined || task === undefined || !isAlive(task) || task.suspended) return undefined;
    return this.rowOf(state, proc, task, pi, ti);
  }

  /** The row of `task`, task `ti` of `proc`, process `pi` of `state`, without tableRow's checks. */
  private rowOf(state: SystemState, proc: ProcessSlot, task: TaskSlot, pi: number, ti: number): TableRow {
    const taskId = this.task.id(task.snapshot);
    const processId = this.process.id(proc.snapshot);
    const slots = this.options.memoise ? this.ownTaskSteps.slotsOf(taskId, processId, state.memory) : undefined;
    return { state, proc, task, pi, ti, taskId, processId, slots };
  }

  /**
   * The step table's entry for `step` taken by the row's task, when the table holds one: what the
   * step does, without taking it (next() replays the same entry, and so does replayEntry). A search
   * that knows where the task is, and only needs to know where a step leads, need not build the
   * state after it, unless the entry ends the thread group (`effect.groupEnd`: it changes the other
   * threads as well).
   */
  tableEntry(row: TableRow, step: Step, kind: StepKind | undefined = this.stepKind(step)): OwnTaskEntry | undefined {
    return row.slots !== undefined && kind !== undefined && this.tableMayHold(row, step, kind) ? this.ownTaskSteps.get(this, row.slots, kind.number, row.proc, row.ti) : undefined;
  }

  /** Whether the table may hold `step`, of kind `kind`, taken by the row's task: a step of the task's own, within the limits, of a kind it keeps. */
  private tableMayHold(row: TableRow, step: Step, kind: StepKind): boolean {
    if (kind.spec.scope === 'system' || row.task.name !== step.task) return false;
    return this.beyondLimits(row.state, row.proc, row.task, kind.spec, step) === undefined && this.keepsOwnTaskStep(row.state, row.task, kind.spec, step);
  }

  /**
   * What tableEntry reads of a step but its task and the name of the task it makes: undefined for an
   * op the variant lacks. A search offers the same steps again and again, so it asks once per step
   * (candidates.ts) rather than once per state.
   */
  stepKind(step: Step): StepKind | undefined {
    const routed = this.routes.get(step.op);
    return routed === undefined ? undefined : { spec: routed.spec, number: this.ownTaskSteps.stepNumber(step) };
  }

  /** next() of `step`, taken by the row's task, whose entry tableEntry gave: the entry replayed, without looking it up again. */
  replayEntry(row: TableRow, step: Step, entry: OwnTaskEntry): Extract<NextResult, { ok: true }> {
    const { state, pi, ti } = row;
    const { effect } = entry;
    if (effect.groupEnd !== undefined) {
      const r = this.ownTaskSteps.replayGroupEnd(this, state, pi, ti, entry);
      this.names.inherit(state, r.state, pi);
      return { ok: true, state: r.state, outcome: effect.outcome, trace: r.trace, owners: r.owners };
    }
    const replayed = this.ownTaskSteps.replay(state, pi, ti, entry, step);
    this.names.inherit(state, replayed, pi);
    return { ok: true, state: replayed, outcome: effect.outcome, trace: effect.trace, owners: this.ownTaskSteps.ownersAt(entry, ti) };
  }

  /** One step as the explorer needs it: the next state and the outcome, without numbering. */
  next(state: SystemState, step: Step): NextResult {
    const routed = this.routes.get(step.op);
    if (routed === undefined) return failure('op', `${step.op} does not exist in variant ${this.variant.name}`);
    const { spec, rule } = routed;
    if (spec.scope === 'system') {
      const w = new World(this, state, -1);
      const result = rule.apply(w, step, -1);
      if (typeof result === 'string') return { ok: false, error: result };
      const after = w.state();
      this.names.inherit(state, after, undefined);
      return { ok: true, state: after, outcome: outcomeOf(step.op, result, undefined), trace: w.trace, owners: w.owners };
    }
    const at = this.actingTask(state, step.task ?? '', step);
    if ('ok' in at) return at;
    const { pi, ti } = at;
    const proc = state.processes[pi]!;
    const task = proc.tasks[ti]!;
    const beyond = this.beyondLimits(state, proc, task, spec, step);
    if (beyond) return beyond;
    const row = this.rowOf(state, proc, task, pi, ti);
    const keeps = row.slots !== undefined && this.keepsOwnTaskStep(state, task, spec, step);
    const stepNumber = keeps ? this.ownTaskSteps.stepNumber(step) : -1;
    const kept = keeps ? this.ownTaskSteps.get(this, row.slots, stepNumber, proc, ti) : undefined;
    if (kept !== undefined) return this.replayEntry(row, step, kept);
    const memoKey = this.localStepKey(state, pi, ti, step);
    const known = memoKey === undefined ? undefined : this.localSteps.get(memoKey);
    if (known) {
      const replayed = this.replay(state, pi, step, known);
      this.names.inherit(state, replayed, pi);
      return { ok: true, state: replayed, outcome: known.outcome, trace: known.trace, owners: known.owners };
    }
    const w = new World(this, state, pi, ti);
    const result = rule.apply(w, step, ti);
    if (typeof result === 'string') return { ok: false, error: result, ...(result.startsWith('field "') ? { field: result.slice(7, result.indexOf('"', 7)) } : {}) };
    const after = w.state();
    this.names.inherit(state, after, pi);
    const afterTask = after.processes[pi]!.tasks[ti];
    const outcome = outcomeOf(step.op, result, afterTask && isAlive(afterTask) ? afterTask.snapshot : undefined);
    // A step that looked a name up is kept only if the name was its child's, which the table's key says is free.
    if (keeps && w.touchedOwnTaskOnly && (w.nameFoundFree === undefined || w.nameFoundFree === step.fields['child'])) {
      const groupEnd = w.groupEnd;
      const forked = w.forked;
      // The end's own changes to the counters are made again when it is replayed.
      const buffers = groupEnd === undefined ? bufferDelta(state.buffers, after.buffers) : bufferDelta(addBuffers(state.buffers, groupEnd.buffers), after.buffers);
      const p = after.processes[pi]!;
      const taskAfter = p.tasks[ti]!;
      const stays =
        groupEnd === undefined && forked === undefined && !taskAfter.suspended && taskAfter.stuckOn === null && this.task.id(taskAfter.snapshot) === row.taskId && this.process.id(p.snapshot) === row.processId;
      this.ownTaskSteps.set(row.slots, stepNumber, w.answers, { task: taskAfter, processSnapshot: p.snapshot, buffers, outcome, trace: w.trace, owners: w.owners, ti, stays, ...(groupEnd !== undefined ? { groupEnd } : {}), ...(forked !== undefined ? { forked } : {}) });
    } else if (memoKey !== undefined) {
      const buffers = bufferDelta(state.buffers, after.buffers);
      this.localSteps.set(memoKey, { process: after.processes[pi]!, buffers, outcome, trace: w.trace, owners: w.owners });
    }
    return { ok: true, state: after, outcome, trace: w.trace, owners: w.owners };
  }

  /**
   * Whether the step table keeps a step of `task` in `state` (by the task's chart state, its place and
   * the step: OwnTaskSteps): not a step that creates a thread (its place in the trace is its process's
   * task count), nor one that creates a process under a name `state` already has (an error, whose
   * message reads the names), nor a stuck task's (rare, and its instruction would need a number).
   */
  private keepsOwnTaskStep(state: SystemState, task: TaskSlot, spec: OpSpec, step: Step): boolean {
    if (task.stuckOn !== null || spec.creates === 'thread') return false;
    return spec.creates !== 'process' || this.locate(state, String(step.fields['child'])) === undefined;
  }

  /**
   * A step's effect depends on nothing outside its own process unless it creates a process or
   * touches a vfork relation, so it is memoised per (memory, process, task position, step) when
   * other processes exist: then the same process recurs beside many different others.
   * Task names are left out: the effect is replayed onto whichever names the state has.
   */
  private localStepKey(state: SystemState, pi: number, ti: number, step: Step): string | undefined {
    const p = state.processes[pi]!;
    // With one process the state is little more than that process, so the table would only grow.
    if (state.processes.length < 2 || p.tasks.length > LOCAL_MEMO_MAX_TASKS) return undefined;
    const creates = opSpec(step.op)?.creates;
    if (!this.options.memoise || creates === 'process' || p.vforkParent !== null) return undefined;
    if (creates === 'thread' && this.locate(state, String(step.fields['child'])) !== undefined) return undefined;
    let k = `${state.memory}|${this.process.id(p.snapshot)}|${ti}|${step.op}|`;
    for (const t of p.tasks) k += `${t.suspended ? 'S' : ''}${t.stuckOn !== null ? `H${t.stuckOn.key}` : ''}${this.task.id(t.snapshot)},`;
    for (const f in step.fields) if (f !== 'child') k += `${f}=${String(step.fields[f])},`;
    return k;
  }

  private replay(state: SystemState, pi: number, step: Step, effect: LocalEffect): SystemState {
    const before = state.processes[pi]!;
    const tasks = effect.process.tasks.map((t, i) => {
      const name = before.tasks[i]?.name ?? (step.fields['child'] as string);
      return named(t, name);
    });
    const processes = [...state.processes];
    const slot = { ...effect.process, tasks };
    processes[pi] = slot;
    return { memory: state.memory, processes, buffers: addBuffers(state.buffers, effect.buffers) };
  }
}

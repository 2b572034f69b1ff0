// A scratch copy of the system for one step: what the kernel rules (rules.ts) act through. It is the
// only place that mutates, and only its own arrays; every chart step it takes is traced, and every
// buffer a chart allocates or frees is counted.

import type { ProcessEvent, ProcessInput } from '../../machines/process-types.js';
import type { BufferChange, Memory, SignalName, TaskEvent, TaskInput, TaskOutcome } from '../../machines/task-types.js';
import type { ChartStep, ChartStepTrace, TraceOwner } from './chart.js';
import { bufferDelta, isAlive, isZombie, type BufferCounts, type Instruction, type ProcessSlot, type ProcessSnapshot, type SystemState, type TaskSlot, type TaskSnapshot } from './state.js';
import { KILLED_BY, RELEASED } from './chart-events.js';
import type { SystemModel } from './system.js';

/**
 * A question a rule asks about the rest of the step's process: a yes or no that reads the other
 * tasks (never the step's own task) and the process's vfork relation (never its chart). A step that
 * asks it can still be kept in the step table: its entry is found by the answers as well
 * (own-task-steps.ts), and the table asks the same questions of the state it replays the entry onto.
 */
export interface ProcessQuestion {
  readonly name: string;
  holds(model: SystemModel, process: ProcessSlot, ti: number): boolean;
}

/** Some task of the process other than task `ti` passes `test`. */
export function someOtherTask(process: ProcessSlot, ti: number, test: (t: TaskSlot) => boolean): boolean {
  const tasks = process.tasks;
  for (let i = 0; i < tasks.length; i++) if (i !== ti && test(tasks[i]!)) return true;
  return false;
}

/** A task of the process other than the step's waits as a zombie leader. */
const ANOTHER_TASK_IS_A_ZOMBIE: ProcessQuestion = {
  name: 'another task of the process is a zombie leader',
  holds: (_model, process, ti) => someOtherTask(process, ti, isZombie),
};

/** The process was made by VFORK and its parent has not run again yet. */
const PROCESS_HAS_A_VFORK_PARENT: ProcessQuestion = {
  name: 'the process has a vfork parent that waits',
  holds: (_model, process) => process.vforkParent !== null,
};

/**
 * The end of a step's thread group (World.endThreadGroup), as the step table keeps it to replay onto
 * the threads of another state: what it sent, what the step's own task was just before, and where its
 * sends lie in the step's trace.
 */
export interface GroupEnd {
  /** What every running task got (the step's own too, unless `sparesActing`); a zombie leader was released after. */
  readonly event: TaskEvent;
  readonly sparesActing: boolean;
  /** The step's own task just before. */
  readonly actingBefore: TaskSlot;
  /** Its sends are the trace's entries [traceFrom, traceTo). */
  readonly traceFrom: number;
  readonly traceTo: number;
  /** What its sends changed the counters by. */
  readonly buffers: BufferCounts;
}

/**
 * The sends of a thread group's end, in order, as World.endThreadGroup makes them and the step table
 * replays them: the end's event to each running task of the `count` (but task `acting` where the end
 * spares it), then RELEASED to each zombie leader. `taskAt` reads the list as the sends leave it.
 */
export function sendGroupEnd(
  end: Pick<GroupEnd, 'event' | 'sparesActing'>,
  acting: number,
  count: number,
  taskAt: (i: number) => TaskSlot,
  send: (i: number, event: TaskEvent) => void,
): void {
  for (let i = 0; i < count; i++) if (!(end.sparesActing && i === acting) && isAlive(taskAt(i))) send(i, end.event);
  for (let i = 0; i < count; i++) if (isZombie(taskAt(i))) send(i, RELEASED);
}

/**
 * The process a step made beside touching its own task (FORK, World.forked): its chart and its first
 * task's, both started from the step's own task, its process's chart and the memory alone. The step
 * table keeps it and appends it again, under the name of the step's `child`.
 */
export interface ForkedProcess {
  readonly snapshot: ProcessSnapshot;
  /** Its task, under the name it had in the step that made it. */
  readonly task: TaskSlot;
}

export class World {
  private memoryNow: Memory;
  private processes: ProcessSlot[];
  private buffers: BufferCounts;
  /** Every chart step this system step took, in order. */
  readonly trace: ChartStepTrace[] = [];
  /** Whose chart each trace entry stepped (see TraceOwner). */
  readonly owners: TraceOwner[] = [];
  private ownTaskOnly = true;
  private groupEnded: GroupEnd | undefined;
  /** The name the step found free (nameTaken): the name of the task it creates. */
  private nameFound: string | undefined;
  private forkedProcess: ForkedProcess | undefined;
  /** The questions the step asked about the rest of its process, in order, with their answers. */
  readonly answers: [ProcessQuestion, boolean][] = [];

  constructor(
    readonly model: SystemModel,
    /** The state the step starts from: its names, looked up through the model's index. */
    private readonly before: SystemState,
    /** The process of the step's task. */
    private readonly pi: number,
    /** The step's task, its position in process `pi` (none: -1). */
    private readonly actingTi = -1,
  ) {
    this.memoryNow = before.memory;
    this.processes = before.processes.slice();
    this.buffers = before.buffers;
  }

  state(): SystemState {
    return { memory: this.memoryNow, processes: this.processes, buffers: this.buffers };
  }

  get memory(): Memory {
    return this.memoryNow;
  }

  /**
   * Whether the step has read and changed nothing but its own task, its process's chart and the
   * memory, besides the answers it was given (ask), the end of its thread group (groupEnd, which
   * does to each other task what that task alone decides), the name it found free (nameFoundFree) and
   * the process it made from those (forked): its effect is then a function of those (and the step),
   * which the step table (own-task-steps.ts) relies on. Every other way to reach another task, a
   * name, the vfork relation or another process goes through a method below that clears it.
   */
  get touchedOwnTaskOnly(): boolean {
    return this.ownTaskOnly;
  }

  /** The name the step looked up and found free (nameTaken), if it looked one up. */
  get nameFoundFree(): string | undefined {
    return this.nameFound;
  }

  /**
   * The end of the thread group the step made, when touchedOwnTaskOnly holds but for it: what it did to
   * each other task is a function of that task alone (endThreadGroup), so the step table keeps the step.
   */
  get groupEnd(): GroupEnd | undefined {
    return this.ownTaskOnly ? this.groupEnded : undefined;
  }

  /**
   * The process the step made, when touchedOwnTaskOnly holds but for it: its charts are a function of
   * the step's own task, its process's chart and the memory, and its one task has the name the step
   * found free, so the step table keeps the step (and looks it up only where that name is free).
   */
  get forked(): ForkedProcess | undefined {
    return this.ownTaskOnly ? this.forkedProcess : undefined;
  }

  private reach(ti: number, at: number): void {
    if (ti !== this.actingTi || at !== this.pi) this.ownTaskOnly = false;
  }

  private reachBeyond(): void {
    this.ownTaskOnly = false;
  }

  /**
   * The answer to a question about the rest of the step's process, which the step may depend on
   * and still touch its own task only: the step table keeps its effect under the answer.
   */
  ask(question: ProcessQuestion): boolean {
    const answer = question.holds(this.model, this.proc, this.actingTi);
    this.answers.push([question, answer]);
    return answer;
  }

  setMemory(memory: Memory): void {
    this.reachBeyond();
    this.memoryNow = memory;
  }

  /** The step's process, as the step has left it so far. */
  private get proc(): ProcessSlot {
    return this.processes[this.pi]!;
  }

  /** The step's process's chart, as the step has left it so far. */
  get processSnapshot(): ProcessSnapshot {
    return this.proc.snapshot;
  }

  task(ti: number): TaskSlot {
    this.reach(ti, this.pi);
    return this.proc.tasks[ti]!;
  }

  private setProc(p: ProcessSlot, at = this.pi): void {
    this.processes[at] = p;
  }

  private traced(step: ChartStepTrace, owner: TraceOwner): void {
    this.trace.push(step);
    this.owners.push(owner);
  }

  private account(changes: readonly BufferChange[]): void {
    for (const c of changes) {
      const b = this.buffers;
      this.buffers =
        c === 'allocated' ? { ...b, allocated: b.allocated + 1 } : c === 'freed' ? { ...b, freed: b.freed + 1 } : { ...b, leaked: b.leaked + 1 };
    }
  }

  /** Sends an event to task `ti` of process `at` (the step's, unless said otherwise); returns what it reported. */
  sendTask(ti: number, event: TaskEvent, at = this.pi): TaskOutcome | undefined {
    this.reach(ti, at);
    return this.sendTo(ti, event, at);
  }

  /** sendTask, for a caller that has said how far it reaches. */
  private sendTo(ti: number, event: TaskEvent, at: number): TaskOutcome | undefined {
    const p = this.processes[at]!;
    const t = p.tasks[ti]!;
    const r = this.model.task.send(t.snapshot, event);
    this.traced(r, at === this.pi ? ti : 'other');
    this.account(r.bufferChanges);
    // Refusals and queries leave the chart where it was: keep the slot, and its memoised key.
    if (r.snapshot === t.snapshot) return r.outcome;
    // Literals of one shape, not spreads: this runs on nearly every transition the explorer takes.
    const tasks = p.tasks.slice();
    tasks[ti] = { name: t.name, snapshot: r.snapshot, suspended: t.suspended, stuckOn: t.stuckOn };
    this.setProc({ snapshot: p.snapshot, tasks, vforkParent: p.vforkParent }, at);
    return r.outcome;
  }

  sendProcess(event: ProcessEvent): { outcome: TaskOutcome | undefined; granted: boolean } {
    const r = this.model.process.send(this.proc.snapshot, event);
    this.traced(r, 'process');
    const p = this.proc;
    if (r.snapshot !== p.snapshot) this.setProc({ snapshot: r.snapshot, tasks: p.tasks, vforkParent: p.vforkParent });
    return { outcome: r.outcome, granted: r.permissionGranted };
  }

  /**
   * Starts a task chart from `input()`, made from the task `parent` and what `choice` stands for
   * (Chart.startFrom): a thread of this process (`owner` 'thread') or the first thread of a new
   * process ('other'). A refusal (clone failing for memory) is returned, and nothing is counted.
   */
  startTask(parent: TaskSlot, choice: number, input: () => TaskInput, owner: 'thread' | 'other'): ChartStep<TaskSnapshot> {
    // A thread's place in the trace is the length of its process's task list; a new process's is not.
    if (owner === 'thread') this.reachBeyond();
    const r = this.model.task.startFrom(parent.snapshot, choice, input);
    this.traced(r, owner === 'thread' ? this.proc.tasks.length : 'other');
    if (!r.outcome) this.account(r.bufferChanges);
    return r;
  }

  /** Starts a process chart from `input()`, made from the step's process's chart alone (fork). */
  startProcess(input: () => ProcessInput): ChartStep<ProcessSnapshot> {
    const r = this.model.process.startFrom(this.processSnapshot, 0, input);
    this.traced(r, 'other');
    return r;
  }

  addThread(name: string, snapshot: TaskSnapshot): void {
    this.reachBeyond();
    this.setProc({ ...this.proc, tasks: [...this.proc.tasks, { name, snapshot, suspended: false, stuckOn: null }] });
  }

  /**
   * Appends a process whose one task is `task`: a process the step table can keep (forked) when it
   * has no vfork parent, is the step's first, and its task has the name the step found free.
   */
  addProcess(snapshot: ProcessSnapshot, task: { readonly name: string; readonly snapshot: TaskSnapshot }, vforkParent: string | null): void {
    const slot: TaskSlot = { name: task.name, snapshot: task.snapshot, suspended: false, stuckOn: null };
    if (vforkParent === null && this.forkedProcess === undefined && task.name === this.nameFound) this.forkedProcess = { snapshot, task: slot };
    else this.reachBeyond();
    this.processes.push({ snapshot, tasks: [slot], vforkParent });
  }

  private updateTask(ti: number, change: Partial<Pick<TaskSlot, 'suspended' | 'stuckOn'>>, at = this.pi): void {
    this.reach(ti, at);
    const p = this.processes[at]!;
    const tasks = [...p.tasks];
    tasks[ti] = { ...tasks[ti]!, ...change };
    this.setProc({ ...p, tasks }, at);
  }

  suspend(ti: number): void {
    this.updateTask(ti, { suspended: true });
  }

  /** The task's instruction no longer refaults: it runs on (or dies). */
  unstick(ti: number): void {
    this.updateTask(ti, { stuckOn: null });
  }

  /** The task refaults forever on the instruction. */
  markStuck(ti: number, instruction: Instruction): void {
    this.updateTask(ti, { stuckOn: instruction });
  }

  liveTaskIndexes(at = this.pi): number[] {
    this.reachBeyond();
    const found: number[] = [];
    const tasks = this.processes[at]!.tasks;
    for (let i = 0; i < tasks.length; i++) if (isAlive(tasks[i]!)) found.push(i);
    return found;
  }

  /** The group is gone (its last thread exited or died, or an exec replaced it): a zombie leader is reaped. */
  releaseZombies(): void {
    // Only the step's own task can be the zombie unless another is: then the step reaches no further.
    if (this.actingTi >= 0 && !this.ask(ANOTHER_TASK_IS_A_ZOMBIE)) {
      if (isZombie(this.task(this.actingTi))) this.sendTask(this.actingTi, RELEASED);
      return;
    }
    this.reachBeyond();
    this.proc.tasks.forEach((t, i) => {
      if (isZombie(t)) this.sendTask(i, RELEASED);
    });
  }

  /**
   * Whether a task of the state the step started from has the name (a step creates at most one task).
   * A step that finds it free, for the task it creates, can still be kept: the step table looks a
   * step that creates a task up only where the name of its `child` is free (SystemModel.ownTaskKey).
   */
  nameTaken(name: string): boolean {
    const taken = this.model.locate(this.before, name) !== undefined;
    if (taken || this.nameFound !== undefined) this.reachBeyond();
    else this.nameFound = name;
    return taken;
  }

  /** Every live thread of the step's process dies of the signal. */
  killProcess(by: SignalName): void {
    this.endThreadGroup(KILLED_BY[by], false);
  }

  /**
   * The end of the step's thread group (do_group_exit; de_thread, which `sparesActing`): `event` to
   * every running task of the process, then RELEASED to a zombie leader. Each task's part is a
   * function of that task alone, so a step that otherwise touched its own task only is kept by the
   * step table, which replays the end onto whatever threads the state it replays onto has (groupEnd).
   * One end per step: a second one reaches beyond.
   */
  endThreadGroup(event: TaskEvent, sparesActing: boolean): void {
    const keepable = this.ownTaskOnly && this.actingTi >= 0 && this.groupEnded === undefined;
    if (!keepable) this.reachBeyond();
    const acting = this.actingTi;
    const actingBefore = acting >= 0 ? this.proc.tasks[acting] : undefined;
    const traceFrom = this.trace.length;
    const buffersBefore = this.buffers;
    // The list is read afresh each time: a send replaces it (sendTo).
    sendGroupEnd({ event, sparesActing }, acting, this.proc.tasks.length, (i) => this.proc.tasks[i]!, (i, e) => void this.sendTo(i, e, this.pi));
    if (keepable && actingBefore !== undefined)
      this.groupEnded = { event, sparesActing, actingBefore, traceFrom, traceTo: this.trace.length, buffers: bufferDelta(buffersBefore, this.buffers) };
  }

  /** Ends the step's process's vfork relation: its parent, if any, runs again. */
  resumeVforkParent(): void {
    if (!this.ask(PROCESS_HAS_A_VFORK_PARENT)) return;
    this.reachBeyond();
    const parent = this.proc.vforkParent!;
    this.setProc({ ...this.proc, vforkParent: null });
    // The parent lived before this step, at a position that never changes.
    const at = this.model.locate(this.before, parent);
    if (at === undefined) return;
    this.updateTask(at.ti, { suspended: false }, at.pi);
  }
}

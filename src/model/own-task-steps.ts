// The step table: what a step did when it read and changed nothing but its own task, its process's
// chart and the memory (World.touchedOwnTaskOnly). Such an effect is a function of those and of the
// step, so it is kept by their small numbers and replayed onto any state that has them, without a
// World or a chart lookup. The charts stay the source of truth: an entry is only ever a step the
// rules took through the charts, and a step that reached further is never kept (it runs every time).

import type { Memory } from '../../machines/task-types.js';
import type { Outcome } from './observation.js';
import type { ChartStepTrace, TraceOwner } from './chart.js';
import { addBuffers, type BufferCounts, type ProcessSnapshot, type SystemState, type TaskSlot } from './state.js';
import type { Step } from '../scenario/format.js';

/** What a step that touched its own task only did, as the step table keeps it. */
export interface OwnTaskEffect {
  /** The task after the step, under the name of the task the entry was made from. */
  readonly task: TaskSlot;
  readonly processSnapshot: ProcessSnapshot;
  readonly buffers: BufferCounts;
  readonly outcome: Outcome;
  readonly trace: readonly ChartStepTrace[];
  /** The owners of the trace, for a task at position `ti`; the entry's own position first. */
  readonly owners: readonly TraceOwner[];
  readonly ti: number;
}

/** Step ids below this keep an entry's number exact (with process chart ids below 2^36). */
const STEP_SLOTS = 2 ** 16;

/** A kept effect, and its trace owners remapped for each position the task may have, made on first use. */
export interface OwnTaskEntry {
  readonly effect: OwnTaskEffect;
  readonly ownersAt: (readonly TraceOwner[] | undefined)[];
}

export class OwnTaskSteps {
  /** Entries by the acting task's chart id, then by the number of the rest of the key. */
  private readonly byTask: (Map<number, OwnTaskEntry> | undefined)[] = [];
  /** Step ids by the step's fields object (the explorer offers the same objects again and again), then by op. */
  private readonly stepIdsByFields = new WeakMap<object, Map<string, number>>();
  private readonly stepIds = new Map<string, number>();
  private entries = 0;

  /** How many effects the table keeps. */
  get size(): number {
    return this.entries;
  }

  /** The step as a small number: its op and fields, not its task. */
  private stepId(step: Step): number {
    let byOp = this.stepIdsByFields.get(step.fields);
    const known = byOp?.get(step.op);
    if (known !== undefined) return known;
    let k = step.op;
    for (const f in step.fields) k += ` ${f}=${String(step.fields[f])}`;
    let id = this.stepIds.get(k);
    if (id === undefined) {
      id = this.stepIds.size;
      this.stepIds.set(k, id);
    }
    if (byOp === undefined) this.stepIdsByFields.set(step.fields, (byOp = new Map()));
    byOp.set(step.op, id);
    return id;
  }

  /**
   * The number of an entry under its task's chart id: the process's chart id, the memory and the
   * step; undefined when the step's number is too large to pack.
   */
  keyOf(processId: number, memory: Memory, step: Step): number | undefined {
    const stepId = this.stepId(step);
    return stepId >= STEP_SLOTS ? undefined : stepId + STEP_SLOTS * ((memory === 'available' ? 0 : 1) + 2 * processId);
  }

  get(taskId: number, key: number): OwnTaskEntry | undefined {
    return taskId < this.byTask.length ? this.byTask[taskId]?.get(key) : undefined;
  }

  set(taskId: number, key: number, effect: OwnTaskEffect): void {
    // Grown one slot at a time: an array written far past its end turns into a slow dictionary.
    while (this.byTask.length <= taskId) this.byTask.push(undefined);
    const entries = (this.byTask[taskId] ??= new Map());
    if (!entries.has(key)) this.entries++;
    const ownersAt: (readonly TraceOwner[] | undefined)[] = [];
    ownersAt[effect.ti] = effect.owners;
    entries.set(key, { effect, ownersAt });
  }

  /** The entry's effect replayed onto task `ti` of process `pi` of `state`, which has the entry's key. */
  replay(state: SystemState, pi: number, ti: number, entry: OwnTaskEntry): SystemState {
    const { effect } = entry;
    const p = state.processes[pi]!;
    const name = p.tasks[ti]!.name;
    const t = effect.task;
    const tasks = p.tasks.slice();
    tasks[ti] = t.name === name ? t : { name, snapshot: t.snapshot, suspended: t.suspended, stuckOn: t.stuckOn };
    const processes = state.processes.slice();
    processes[pi] = { snapshot: effect.processSnapshot, tasks, vforkParent: p.vforkParent };
    return { memory: state.memory, processes, buffers: addBuffers(state.buffers, effect.buffers) };
  }

  /** The entry's trace owners for a task at position `ti`. */
  ownersAt(entry: OwnTaskEntry, ti: number): readonly TraceOwner[] {
    return (entry.ownersAt[ti] ??= entry.effect.owners.map((o) => (o === entry.effect.ti ? ti : o)));
  }
}

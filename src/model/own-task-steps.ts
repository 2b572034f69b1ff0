// The step table: what a step did when it changed nothing but its own task, its process's chart and
// the counters (and, for FORK, made a process from those), and read nothing else but the memory, the
// answers to a few questions about the rest of its process (World.touchedOwnTaskOnly, World.ask:
// whether another thread runs, has a small altstack, ...) and whether the name of the task it makes
// is free. Such an effect is a function of those and of the step (but the new task's name), so it is
// kept by their small numbers and the answers, and replayed onto any state that has them where that
// name is free, without a World or a chart lookup. The charts stay the source of truth: an entry is
// only ever a step the rules took through the charts, and a step that reached further is never kept
// (it runs every time).

import type { Memory } from '../../machines/task-types.js';
import type { Outcome } from './observation.js';
import type { ChartStepTrace, TraceOwner } from './chart.js';
import { addBuffers, named, type BufferCounts, type ProcessSlot, type ProcessSnapshot, type SystemState, type TaskSlot } from './state.js';
import type { Step } from '../scenario/format.js';
import type { SystemModel } from './system.js';
import { sendGroupEnd, type ForkedProcess, type GroupEnd, type ProcessQuestion } from './world.js';

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
  /**
   * The end of the thread group the step made (World.groupEnd), replayed onto the other threads of
   * each state (replayGroupEnd); `buffers` and the trace outside it are the step's own part.
   */
  readonly groupEnd?: GroupEnd;
  /** The process the step made (FORK, World.forked), appended by the replay under the name of the step's `child`. */
  readonly forked?: ForkedProcess;
  /**
   * The step leaves its task, its process's chart and every other task as they were (the counters
   * aside, which no key reads): the state after it is, but for the counters, the state it was taken
   * from. About half the steps a search takes are such (an errno, a query, a tile op on tiles in use).
   */
  readonly stays: boolean;
}

/** A kept effect, and its trace owners remapped for each position the task may have, made on first use. */
export interface OwnTaskEntry {
  readonly effect: OwnTaskEffect;
  readonly ownersAt: (readonly TraceOwner[] | undefined)[];
  /** The entry's number: 0, 1, 2... in the order the table made them (a search keeps flags by it). */
  readonly serial: number;
}

/** A trace entry's owner, for the effect replayed onto the task at `ti`: that task where it was the effect's own. */
function ownerAt(effect: OwnTaskEffect, owner: TraceOwner, ti: number): TraceOwner {
  return owner === effect.ti ? ti : owner;
}

/** The effect's trace entries [from, to) and their owners (ownerAt), appended. */
function pushOwnPart(effect: OwnTaskEffect, from: number, to: number, ti: number, trace: ChartStepTrace[], owners: TraceOwner[]): void {
  for (let k = from; k < to; k++) {
    trace.push(effect.trace[k]!);
    owners.push(ownerAt(effect, effect.owners[k]!, ti));
  }
}

/**
 * Where the steps of one key part ways: the question the rule asked first about the rest of the
 * process, and what follows each answer. A rule asks the same questions in the same order until an
 * answer differs (it is a function of the key and of the answers so far), so the questions a state
 * is asked lead to the one entry that holds for it.
 */
export class Question {
  /** What follows the answers no and yes: another question, the entry, or nothing kept yet. */
  readonly then: [Slot | undefined, Slot | undefined] = [undefined, undefined];

  constructor(readonly question: ProcessQuestion) {}
}

/** What a step of one key finds in the table: its entry, or the question that parts the entries of the key. */
export type Slot = OwnTaskEntry | Question;

/** A class, not a field's presence: asked on nearly every step a search takes, where `in` on two shapes of object was a tenth of the search. */
function isQuestion(slot: Slot): slot is Question {
  return slot instanceof Question;
}

/**
 * The slots of one task's chart state in one place (its process's chart state and the memory), by the
 * step's number (OwnTaskSteps.stepNumber): what a search looks its task's steps up in, found once for
 * all of them.
 */
export type PlaceSlots = readonly (Slot | undefined)[];

export class OwnTaskSteps {
  /**
   * Slots by the acting task's chart id, then by the place (placeOf), then by the step's number: an
   * entry, or the first question before the entries.
   */
  private readonly byTask: (Map<number, (Slot | undefined)[]> | undefined)[] = [];
  /** Step ids by the step's fields object (the explorer offers the same objects again and again: candidates.ts), then by op. */
  private readonly stepIdsByFields = new WeakMap<object, Map<string, number>>();
  private readonly stepIds = new Map<string, number>();
  private entries = 0;
  private serials = 0;

  /** How many effects the table keeps. */
  get size(): number {
    return this.entries;
  }

  /** The step as a small number: its op and fields, not its task, nor the name of the task it creates (`child`). */
  stepNumber(step: Step): number {
    let byOp = this.stepIdsByFields.get(step.fields);
    const known = byOp?.get(step.op);
    if (known !== undefined) return known;
    let k = step.op;
    for (const f in step.fields) if (f !== 'child') k += ` ${f}=${String(step.fields[f])}`;
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
   * The slots of task chart id `taskId` beside process chart id `processId` under `memory`: the same
   * array for as long as the table lives (set() fills it), so that one found before a step was kept
   * still finds it.
   */
  slotsOf(taskId: number, processId: number, memory: Memory): PlaceSlots {
    // Grown one slot at a time: an array written far past its end turns into a slow dictionary.
    while (this.byTask.length <= taskId) this.byTask.push(undefined);
    const places = (this.byTask[taskId] ??= new Map());
    const place = (memory === 'available' ? 0 : 1) + 2 * processId;
    let slots = places.get(place);
    if (slots === undefined) places.set(place, (slots = []));
    return slots;
  }

  /** The entry for the step numbered `stepNumber` by task `ti` of `process`, whose slots are `slots`: the table asks its questions of `process`. */
  get(model: SystemModel, slots: PlaceSlots, stepNumber: number, process: ProcessSlot, ti: number): OwnTaskEntry | undefined {
    let slot = slots[stepNumber];
    while (slot !== undefined && isQuestion(slot)) slot = slot.then[slot.question.holds(model, process, ti) ? 1 : 0];
    return slot;
  }

  /** Keeps the effect of the step numbered `stepNumber` in `slots` (slotsOf) under the answers its rule was given, in the order it asked. */
  set(slots: PlaceSlots, stepNumber: number, answers: readonly (readonly [ProcessQuestion, boolean])[], effect: OwnTaskEffect): void {
    const entries = slots as (Slot | undefined)[];
    while (entries.length <= stepNumber) entries.push(undefined);
    const ownersAt: (readonly TraceOwner[] | undefined)[] = [];
    ownersAt[effect.ti] = effect.owners;
    // Walk the questions the step was asked, making the ones not kept yet; the entry goes where they end.
    let parent: Question | undefined;
    let branch = 0;
    const place = (slot: Slot): void => {
      if (parent === undefined) entries[stepNumber] = slot;
      else parent.then[branch] = slot;
    };
    let slot = entries[stepNumber];
    for (const [asked, answer] of answers) {
      if (slot === undefined) {
        const made = new Question(asked);
        place(made);
        slot = made;
      }
      if (!isQuestion(slot) || slot.question !== asked) throw new Error(`step table: a step of one key asked "${asked.name}" where another step of it asked something else`);
      parent = slot;
      branch = answer ? 1 : 0;
      slot = slot.then[branch];
    }
    if (slot !== undefined && isQuestion(slot)) throw new Error(`step table: a step of one key stopped asking where another step of it asked "${slot.question.name}"`);
    if (slot === undefined) this.entries++;
    place({ effect, ownersAt, serial: this.serials++ });
  }

  /** The entry's effect replayed onto task `ti` of process `pi` of `state`, which has the entry's key, by `step`. */
  replay(state: SystemState, pi: number, ti: number, entry: OwnTaskEntry, step: Step): SystemState {
    const { effect } = entry;
    const p = state.processes[pi]!;
    const name = p.tasks[ti]!.name;
    const tasks = p.tasks.slice();
    tasks[ti] = named(effect.task, name);
    const processes = state.processes.slice();
    processes[pi] = { snapshot: effect.processSnapshot, tasks, vforkParent: p.vforkParent };
    const forked = effect.forked;
    if (forked !== undefined) processes.push({ snapshot: forked.snapshot, tasks: [named(forked.task, String(step.fields['child']))], vforkParent: null });
    return { memory: state.memory, processes, buffers: addBuffers(state.buffers, effect.buffers) };
  }

  /**
   * The entry's effect replayed onto task `ti` of process `pi` of `state`, which has the entry's key,
   * when the step ended its thread group: the own part as kept, and the end sent again to the tasks
   * `state` has, through the task chart's memo tables, as World.endThreadGroup sends it.
   */
  replayGroupEnd(model: SystemModel, state: SystemState, pi: number, ti: number, entry: OwnTaskEntry): { state: SystemState; trace: ChartStepTrace[]; owners: TraceOwner[] } {
    const { effect } = entry;
    const end = effect.groupEnd!;
    const p = state.processes[pi]!;
    const tasks = p.tasks.slice();
    const name = tasks[ti]!.name;
    tasks[ti] = named(end.actingBefore, name);
    const trace: ChartStepTrace[] = [];
    const owners: TraceOwner[] = [];
    // The step's own part before the end, then the end sent to this state's tasks, then the own part after.
    pushOwnPart(effect, 0, end.traceFrom, ti, trace, owners);
    let { allocated, freed, leaked } = addBuffers(state.buffers, effect.buffers);
    sendGroupEnd(end, ti, tasks.length, (i) => tasks[i]!, (i, event) => {
      const t = tasks[i]!;
      const r = model.task.send(t.snapshot, event);
      trace.push(r);
      owners.push(i);
      const changes = r.bufferChanges;
      for (let k = 0; k < changes.length; k++) {
        const c = changes[k];
        if (c === 'allocated') allocated++;
        else if (c === 'freed') freed++;
        else leaked++;
      }
      if (r.snapshot !== t.snapshot) tasks[i] = { name: t.name, snapshot: r.snapshot, suspended: t.suspended, stuckOn: t.stuckOn };
    });
    pushOwnPart(effect, end.traceTo, effect.trace.length, ti, trace, owners);
    tasks[ti] = named(effect.task, name);
    const processes = state.processes.slice();
    processes[pi] = { snapshot: effect.processSnapshot, tasks, vforkParent: p.vforkParent };
    return { state: { memory: state.memory, processes, buffers: { allocated, freed, leaked } }, trace, owners };
  }

  /** The entry's trace owners for a task at position `ti`. */
  ownersAt(entry: OwnTaskEntry, ti: number): readonly TraceOwner[] {
    return (entry.ownersAt[ti] ??= entry.effect.owners.map((o) => ownerAt(entry.effect, o, ti)));
  }
}

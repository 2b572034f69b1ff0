// The steps a configuration allows from a state of the search: one representative per symmetric
// choice, each op's fields as the configuration (from the op table) chooses them.

import { opSpec, type OpSpec } from '../../machines/kernel-events.js';
import { framesOf, isAlive, onThreadList, type ProcessSlot, type SystemState } from '../model/state.js';
import type { StepKind, SystemModel } from '../model/system.js';
import type { Outcome } from '../model/observation.js';
import type { Step, StepValue } from '../scenario/format.js';
import { CanonicalCodes } from './canonical.js';
import type { ExploreConfig, OpChoice } from './config.js';

const NO_FIELDS: Readonly<Record<string, never>> = Object.freeze({});

/** Where the search stands: a state, the execs along its path, and the number the next new task gets. */
export interface SearchPoint {
  readonly state: SystemState;
  readonly execs: number;
  readonly nextId: number;
}

/** The execs along a path after a step: one more after an exec that succeeded. */
export function execsAfter(execs: number, step: Step, outcome: Outcome): number {
  return execs + (step.op === 'EXEC' && outcome.outcome === 'ok' ? 1 : 0);
}

/**
 * A step the search may take, with what the step table reads of it (SystemModel.stepKind), found once:
 * the same objects are offered from state after state (PreparedChoices), so that a search neither
 * makes a step per transition nor looks its op up again.
 */
export interface Candidate {
  readonly step: Step;
  readonly kind: StepKind | undefined;
  /** Whether the step makes a task (the op table's `creates`): the next new task gets the next number. */
  readonly creates: boolean;
}

/**
 * The bound of the configuration a choice is held to, beyond the op table's: `exec` (an exec that
 * may succeed, up to maxExecs along a path), `vfork` (one vfork relation at a time), `signal` (up to
 * maxSignalDepth nested handlers); none otherwise.
 */
type ChoiceBound = 'exec' | 'vfork' | 'signal' | undefined;

/** One choice of the configuration, as a task of the variant can take it: see PreparedChoices. */
interface TaskChoice {
  readonly choice: OpChoice;
  readonly spec: OpSpec;
  readonly bound: ChoiceBound;
  /** For a choice that makes a task: its fields with each name the new task may get, by the number in it. */
  readonly named: Readonly<Record<string, StepValue>>[];
}

/** The bound `choice` is held to (ChoiceBound). */
function boundOf(choice: OpChoice): ChoiceBound {
  if (choice.op === 'EXEC') return choice.fields?.['fails'] !== true ? 'exec' : undefined;
  if (choice.op === 'VFORK') return 'vfork';
  return choice.op === 'SIGNAL' ? 'signal' : undefined;
}

/** A task's candidates, by the index of their choice; those of a choice that makes a task, by the number its child gets first. */
interface TaskCandidates {
  readonly plain: Candidate[];
  readonly making: Candidate[][];
  /** The task's candidates in each situation (situationOf), in the order of the choices. */
  readonly lists: Map<number, readonly Candidate[]>;
}

/** What decides which of a task's choices the bounds allow (see candidates): the bounds reached, and its nesting of handlers. */
interface Situation {
  readonly threadsFull: boolean;
  readonly processesFull: boolean;
  readonly vforking: boolean;
  readonly execsFull: boolean;
  readonly frames: number;
}

/** A situation as one number, with the number the next new task gets: the key of a task's list of candidates. */
function situationKey(config: ExploreConfig, at: Situation, nextId: number): number {
  const frames = at.frames === 0 ? 0 : at.frames >= config.maxSignalDepth ? 2 : 1;
  return nextId * 64 + (at.threadsFull ? 1 : 0) + (at.processesFull ? 2 : 0) + (at.vforking ? 4 : 0) + (at.execsFull ? 8 : 0) + 16 * frames;
}

/** The candidates of task `name`, whose candidates are `ofTask`, in situation `at`, when the next new task gets number `nextId`. */
function allowed(model: SystemModel, config: ExploreConfig, prepared: PreparedChoices, ofTask: TaskCandidates, name: string, at: Situation, nextId: number): readonly Candidate[] {
  const key = situationKey(config, at, nextId);
  let list = ofTask.lists.get(key);
  if (list !== undefined) return list;
  const made: Candidate[] = [];
  for (let c = 0; c < prepared.ofTasks.length; c++) {
    const { spec, bound } = prepared.ofTasks[c]!;
    if (spec.creates === 'thread' && at.threadsFull) continue;
    if (spec.creates === 'process' && at.processesFull) continue;
    if (bound !== undefined && (bound === 'vfork' ? at.vforking : bound === 'exec' ? at.execsFull : at.frames >= config.maxSignalDepth)) continue;
    if (spec.inHandler === true && at.frames === 0) continue;
    made.push(candidateOf(model, prepared, ofTask, c, name, nextId));
  }
  ofTask.lists.set(key, (list = made));
  return list;
}

/** The configuration's choices as candidateSteps reads them for every state: see prepareChoices. */
export interface PreparedChoices {
  /** The choices a task can take in the model's variant, each with its row of the op table. */
  readonly ofTasks: readonly TaskChoice[];
  readonly oom: { readonly begin: Candidate | undefined; readonly end: Candidate | undefined };
  /** The candidates made so far, by the name of the task that takes them, made on first use. */
  readonly byTask: Map<string, TaskCandidates>;
}

/** What candidateSteps looks up in the op table for each choice, looked up once: a search asks for every state. */
export function prepareChoices(model: SystemModel, config: ExploreConfig): PreparedChoices {
  const ofTasks: TaskChoice[] = [];
  for (const choice of config.ops) {
    const spec = opSpec(choice.op);
    if (spec !== undefined && spec.scope !== 'system' && model.hasOp(choice.op)) ofTasks.push({ choice, spec, bound: boundOf(choice), named: [] });
  }
  const systemCandidate = (op: string): Candidate | undefined => {
    if (!config.ops.some((o) => o.op === op)) return undefined;
    const step: Step = { op, fields: {} };
    return { step, kind: model.stepKind(step), creates: false };
  };
  return { ofTasks, oom: { begin: systemCandidate('OOM_BEGIN'), end: systemCandidate('OOM_END') }, byTask: new Map() };
}

/** The candidates of task `name` made so far. */
function candidatesOfTask(prepared: PreparedChoices, name: string): TaskCandidates {
  let ofTask = prepared.byTask.get(name);
  if (ofTask === undefined) prepared.byTask.set(name, (ofTask = { plain: [], making: [], lists: new Map() }));
  return ofTask;
}

/** Choice `c`'s candidate for task `name`, whose candidates are `ofTask`, when the next new task gets number `nextId`: made once. */
function candidateOf(model: SystemModel, prepared: PreparedChoices, ofTask: TaskCandidates, c: number, name: string, nextId: number): Candidate {
  const { choice, spec, named } = prepared.ofTasks[c]!;
  const slots = spec.creates === undefined ? ofTask.plain : (ofTask.making[nextId] ??= []);
  let made = slots[c];
  if (made === undefined) {
    const fields = spec.creates !== undefined ? (named[nextId] ??= { ...choice.fields, child: `t${nextId}` }) : (choice.fields ?? NO_FIELDS);
    const step: Step = { op: choice.op, task: name, fields };
    slots[c] = made = { step, kind: model.stepKind(step), creates: spec.creates !== undefined };
  }
  return made;
}

/** The steps the configuration allows from a node: one representative per symmetric choice. */
export function candidateSteps(model: SystemModel, config: ExploreConfig, node: SearchPoint, prepared: PreparedChoices = prepareChoices(model, config)): Step[] {
  return candidates(model, config, node, prepared).map((c) => c.step);
}

function hasLiveTask(p: ProcessSlot): boolean {
  for (const t of p.tasks) if (isAlive(t)) return true;
  return false;
}

/** candidateSteps, each step with what the step table reads of it (Candidate). */
export function candidates(model: SystemModel, config: ExploreConfig, node: SearchPoint, prepared: PreparedChoices): Candidate[] {
  const s = node.state;
  const out: Candidate[] = [];
  if (prepared.oom.begin !== undefined && s.memory === 'available') out.push(prepared.oom.begin);
  if (prepared.oom.end !== undefined && s.memory === 'exhausted') out.push(prepared.oom.end);
  const liveProcesses = s.processes.length === 1 ? (hasLiveTask(s.processes[0]!) ? s.processes : []) : s.processes.filter(hasLiveTask);
  const vforking = s.processes.some((q) => q.vforkParent !== null);
  // Processes alike are interchangeable: one of each (only worth a key where there are two).
  const alike = liveProcesses.length > 1 ? { seen: new Set<string>(), codes: new CanonicalCodes() } : undefined;
  // Tasks alike (the same chart state) in one process are interchangeable: one of each.
  const seenTasks: number[] = [];
  for (const p of liveProcesses) {
    if (alike) {
      const pk = alike.codes.processText(model, p);
      if (alike.seen.has(pk)) continue;
      alike.seen.add(pk);
    }
    // The bound counts the thread list: a zombie leader is still one of the group's threads.
    let threads = 0;
    for (const t of p.tasks) if (onThreadList(t)) threads++;
    seenTasks.length = 0;
    for (const t of p.tasks) {
      // A vfork parent waits. A task stuck in an endless SIGILL refault never gets past its
      // instruction: that instruction, faulting again, is its one step (the cycle of a lasso).
      if (!isAlive(t) || t.suspended) continue;
      if (t.stuckOn !== null) {
        const step: Step = { op: t.stuckOn.op, task: t.name, fields: t.stuckOn.fields };
        out.push({ step, kind: model.stepKind(step), creates: opSpec(step.op)?.creates !== undefined });
        continue;
      }
      const tk = model.task.id(t.snapshot);
      if (seenTasks.includes(tk)) continue;
      seenTasks.push(tk);
      const at: Situation = { threadsFull: threads >= config.maxThreadsPerProcess, processesFull: liveProcesses.length >= config.maxProcesses, vforking, execsFull: node.execs >= config.maxExecs, frames: framesOf(t).length };
      for (const c of allowed(model, config, prepared, candidatesOfTask(prepared, t.name), t.name, at, node.nextId)) out.push(c);
    }
  }
  return out;
}

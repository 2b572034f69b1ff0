// The system's state: processes of task slots over the environment's memory, with buffer accounting,
// and the readers that name what a chart snapshot means in kernel terms.

import type { SnapshotFrom } from 'xstate';
import type { SigillHandler, SigsegvHandler } from '../../machines/process-types.js';
import type { Altstack, Memory, TaskContext } from '../../machines/task-types.js';
import type { ProcessMachine, TaskMachine } from '../../machines/variants.js';

export type TaskSnapshot = SnapshotFrom<TaskMachine>;
export type ProcessSnapshot = SnapshotFrom<ProcessMachine>;

export interface TaskSlot {
  readonly name: string;
  readonly snapshot: TaskSnapshot;
  /** A vfork parent waits until its child execs or exits. */
  readonly suspended: boolean;
  /**
   * The instruction the task spins on in an endless SIGILL refault: its handler
   * returned to an instruction that faults again, forever (observed 2d, no-amx N14, N15). It still
   * lives, and its only step is that instruction, faulting again. Null for a task that runs on.
   */
  readonly stuckOn: Instruction | null;
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
  /** Orphaned by exec: allocated, never freed (docs/findings.md §1). */
  readonly leaked: number;
}

/** The counts after a step that changed them by `d` (the same object when `d` is all zero). */
export function addBuffers(b: BufferCounts, d: BufferCounts): BufferCounts {
  return d.allocated === 0 && d.freed === 0 && d.leaked === 0 ? b : { allocated: b.allocated + d.allocated, freed: b.freed + d.freed, leaked: b.leaked + d.leaked };
}

/** What a step changed the counts by. */
export function bufferDelta(before: BufferCounts, after: BufferCounts): BufferCounts {
  return { allocated: after.allocated - before.allocated, freed: after.freed - before.freed, leaked: after.leaked - before.leaked };
}

export interface SystemState {
  readonly memory: Memory;
  readonly processes: readonly ProcessSlot[];
  readonly buffers: BufferCounts;
}

export type TilesReport = 'intact' | 'init' | 'lost';

/** An instruction as a stuck task retries it: its op and fields, and both as one key. */
export interface Instruction {
  readonly op: string;
  readonly fields: Readonly<Record<string, string | number | boolean>>;
  readonly key: string;
}

export function instructionOf(step: Pick<Instruction, 'op' | 'fields'>): Instruction {
  let key = step.op;
  for (const f in step.fields) key += ` ${f}=${String(step.fields[f])}`;
  return { op: step.op, fields: step.fields, key };
}

type TaskValue = { alive?: { lifecycle: string; buffer: string; tileConfig: string; tileData: string; altstack: string; signal: unknown } };
type ProcessValue = { hostPermission: string; guestPermission: string; guestPermissionLock: string; sigillDisposition: string; sigsegvDisposition: string };

/** The regions of a task's chart while it is on the thread list (running or a zombie); undefined once it is gone. */
export function taskValue(s: TaskSnapshot): TaskValue['alive'] {
  return (s.value as TaskValue).alive;
}

export function processValue(s: ProcessSnapshot): ProcessValue {
  return s.value as ProcessValue;
}

/** The slot `t` under the name `name`: `t` itself where it has that name (a replayed step copies slots). */
export function named(t: TaskSlot, name: string): TaskSlot {
  return t.name === name ? t : { name, snapshot: t.snapshot, suspended: t.suspended, stuckOn: t.stuckOn };
}

/** The task runs and can take steps: not gone, and not a zombie leader. */
export function isAlive(t: TaskSlot): boolean {
  return taskValue(t.snapshot)?.lifecycle === 'running';
}

/**
 * The task is on its group's thread list (for_each_thread): running, or a leader that exited before
 * its threads and stays a zombie until the group is gone (E19). The every-thread altstack check
 * and the death of the group reach it; nothing else does.
 */
export function onThreadList(t: TaskSlot): boolean {
  return taskValue(t.snapshot) !== undefined;
}

/** thread_group_leader(): the task leads its group (the process's first thread, or the one that exec'd last). */
export function isGroupLeader(t: TaskSlot): boolean {
  return (t.snapshot.context as TaskContext).leader;
}

export function isZombie(t: TaskSlot): boolean {
  return taskValue(t.snapshot)?.lifecycle === 'zombie';
}

/** The task's sigaltstack: its bytes (0: none) and SS_AUTODISARM. */
export function altstackOf(t: TaskSlot): Altstack {
  return altstackIn(t.snapshot);
}

/** The sigaltstack a task chart's snapshot records (altstackOf, for a snapshot outside a slot). */
export function altstackIn(s: TaskSnapshot): Altstack {
  return (s.context as TaskContext).altstack;
}

/** The signal frames of the handlers a task runs, innermost last. */
export function framesOf(t: TaskSlot): TaskContext['frames'] {
  return (t.snapshot.context as TaskContext).frames;
}

export function taskFate(t: TaskSlot): string {
  if (isZombie(t)) return 'a zombie: the group leader exited while its threads run';
  const v = t.snapshot.value;
  return typeof v === 'string' ? v : Object.entries(v).map(([k, sub]) => `${k} ${typeof sub === 'string' ? sub : ''}`.trim())[0] ?? 'unknown';
}

/** Whether the task holds the large buffer (XFD disarmed). */
export function hasLargeBuffer(t: TaskSlot): boolean {
  return taskValue(t.snapshot)?.buffer === 'allocated';
}

export function tilesOf(t: TaskSnapshot): TilesReport | undefined {
  const v = taskValue(t);
  if (!v) return undefined;
  return v.tileData === 'live' ? 'intact' : v.tileData === 'lost' ? 'lost' : 'init';
}

export function bufferOf(t: TaskSnapshot): 'default' | 'large' | undefined {
  const v = taskValue(t);
  if (!v) return undefined;
  return v.buffer === 'allocated' ? 'large' : 'default';
}

export function hostPermitted(p: ProcessSnapshot): boolean {
  return processValue(p).hostPermission === 'permitted';
}

/** The process chart's disposition states, by the handler names SET_DISPOSITION gives them. */
const HANDLER_OF_STATE: Readonly<Record<string, SigillHandler>> = { default: 'default', skip: 'skip', requestPermission: 'request-permission', ignored: 'ignore' };

export function sigillHandler(p: ProcessSnapshot): SigillHandler {
  return HANDLER_OF_STATE[processValue(p).sigillDisposition] ?? 'default';
}

/** The process's disposition for a fault signal. */
export function faultHandler(p: ProcessSnapshot, signal: 'SIGILL' | 'SIGSEGV'): SigillHandler | SigsegvHandler {
  return signal === 'SIGILL' ? sigillHandler(p) : sigsegvHandler(p);
}

export function sigsegvHandler(p: ProcessSnapshot): SigsegvHandler {
  const h = HANDLER_OF_STATE[processValue(p).sigsegvDisposition] ?? 'default';
  return h === 'request-permission' ? 'default' : h;
}

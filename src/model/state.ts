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

type TaskValue = { alive?: { buffer: string; tileConfig: string; tileData: string; altstack: string; signal: unknown } };
type ProcessValue = { hostPermission: string; guestPermission: string; guestPermissionLock: string; sigillDisposition: string; sigsegvDisposition: string };

/** The regions of a live task's chart; undefined once the task exited or was killed. */
export function taskValue(s: TaskSnapshot): TaskValue['alive'] {
  return (s.value as TaskValue).alive;
}

export function processValue(s: ProcessSnapshot): ProcessValue {
  return s.value as ProcessValue;
}

export function isAlive(t: TaskSlot): boolean {
  return taskValue(t.snapshot) !== undefined;
}

/** The task's sigaltstack: its bytes (0: none) and SS_AUTODISARM. */
export function altstackOf(t: TaskSlot): Altstack {
  return (t.snapshot.context as TaskContext).altstack;
}

/** The signal frames of the handlers a task runs, innermost last. */
export function framesOf(t: TaskSlot): TaskContext['frames'] {
  return (t.snapshot.context as TaskContext).frames;
}

export function taskFate(t: TaskSlot): string {
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

export function sigillHandler(p: ProcessSnapshot): SigillHandler {
  const d = processValue(p).sigillDisposition;
  return d === 'requestPermission' ? 'request-permission' : d === 'skip' ? 'skip' : 'default';
}

export function sigsegvHandler(p: ProcessSnapshot): SigsegvHandler {
  return processValue(p).sigsegvDisposition === 'skip' ? 'skip' : 'default';
}

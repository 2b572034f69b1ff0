// Canonical state keys under symmetry: threads of a process are interchangeable, and so are
// processes; names, dead tasks and ended processes do not count (a zombie leader does: it holds its
// buffer and altstack, and its snapshot says it leads). Equal keys = isomorphic states.
// A task suspended in vfork (S) or stuck in an endless refault (H) differs from one that runs.
//
// A key is packed: every part a small integer (interned chart snapshots, the memory, the execs, an
// interned refault instruction), written as one-byte characters (see pushPacked), so that the
// explorer's table of seen states holds a few bytes per state and no number is ever printed.

import { isAlive, onThreadList, type SystemState, type ProcessSlot, type TaskSlot } from '../model/state.js';
import type { SystemModel } from '../model/system.js';

/**
 * Appends `n` (0 or more) as bytes: seven bits per byte, low bits first, every byte but the last
 * with its high bit set, so that no packed number is a prefix of another.
 */
function pushPacked(bytes: number[], n: number): void {
  while (n >= 0x80) {
    bytes.push(0x80 | n % 0x80);
    n = Math.floor(n / 0x80);
  }
  bytes.push(n);
}

/** Slots of a task's flags below its snapshot id: suspended (1 bit), then the refault instruction (0 = none). */
const FLAG_SLOTS = 2 ** 20;

/** A task on the thread list as one number: its snapshot, whether it is suspended, what it is stuck on. */
function taskCode(model: SystemModel, t: TaskSlot): number {
  return model.task.id(t.snapshot) * FLAG_SLOTS + model.instructionId(t.stuckOn) * 2 + (t.suspended ? 1 : 0);
}

/** The process's packed key, appended to `bytes`: self-delimiting (its task count comes first). */
function pushProcess(bytes: number[], model: SystemModel, p: ProcessSlot): void {
  const codes: number[] = [];
  for (const t of p.tasks) if (onThreadList(t)) codes.push(taskCode(model, t));
  codes.sort((a, b) => a - b);
  pushPacked(bytes, model.process.id(p.snapshot) * 2 + (p.vforkParent !== null ? 1 : 0));
  pushPacked(bytes, codes.length);
  for (const c of codes) pushPacked(bytes, c);
}

const text = (bytes: readonly number[]) => String.fromCharCode(...bytes);

/** Computed afresh each time: remembering keys per slot in a WeakMap cost more than the keys (a third of the search). */
export function processKey(model: SystemModel, p: ProcessSlot): string {
  const bytes: number[] = [];
  pushProcess(bytes, model, p);
  return text(bytes);
}

export function canonicalKey(model: SystemModel, s: SystemState, execs: number): string {
  const bytes: number[] = [s.memory === 'available' ? 0 : 1];
  pushPacked(bytes, execs);
  let live = 0;
  for (const p of s.processes) if (p.tasks.some(isAlive)) live++;
  if (live <= 1) {
    for (const p of s.processes) if (p.tasks.some(isAlive)) pushProcess(bytes, model, p);
    return text(bytes);
  }
  // Process keys are self-delimiting, so the sorted keys, joined, stand for one multiset.
  const procs: string[] = [];
  for (const p of s.processes) if (p.tasks.some(isAlive)) procs.push(processKey(model, p));
  return text(bytes) + procs.sort().join('');
}

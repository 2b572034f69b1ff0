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
 * `n` (0 or more) as one-byte characters: seven bits per character, low bits first, every one but
 * the last with its high bit set, so that no packed number is a prefix of another.
 */
function packed(n: number): string {
  let s = '';
  while (n >= 0x80) {
    s += String.fromCharCode(0x80 | n % 0x80);
    n = Math.floor(n / 0x80);
  }
  return s + String.fromCharCode(n);
}

/** Slots of a task's flags below its snapshot id: suspended (1 bit), then the refault instruction (0 = none). */
const FLAG_SLOTS = 2 ** 20;

/** A task on the thread list as one number: its snapshot, whether it is suspended, what it is stuck on. */
function taskCode(model: SystemModel, t: TaskSlot): number {
  return model.task.id(t.snapshot) * FLAG_SLOTS + model.instructionId(t.stuckOn) * 2 + (t.suspended ? 1 : 0);
}

function hasLiveTask(p: ProcessSlot): boolean {
  for (const t of p.tasks) if (isAlive(t)) return true;
  return false;
}

/**
 * The process's packed key: self-delimiting (its task count comes first). Computed afresh each time:
 * remembering keys per slot in a WeakMap cost more than the keys (a third of the search).
 */
export function processKey(model: SystemModel, p: ProcessSlot): string {
  const codes: number[] = [];
  for (const t of p.tasks) if (onThreadList(t)) codes.push(taskCode(model, t));
  // Most processes have a thread or two: sorted by hand, without a comparator call per pair.
  if (codes.length === 2) {
    if (codes[0]! > codes[1]!) codes.reverse();
  } else if (codes.length > 2) codes.sort((a, b) => a - b);
  let k = packed(model.process.id(p.snapshot) * 2 + (p.vforkParent !== null ? 1 : 0)) + packed(codes.length);
  for (const c of codes) k += packed(c);
  return k;
}

export function canonicalKey(model: SystemModel, s: SystemState, execs: number): string {
  const head = (s.memory === 'available' ? '\x00' : '\x01') + packed(execs);
  let only: ProcessSlot | undefined;
  let procs: string[] | undefined;
  for (const p of s.processes) {
    if (!hasLiveTask(p)) continue;
    if (only === undefined) only = p;
    else (procs ??= [processKey(model, only)]).push(processKey(model, p));
  }
  if (only === undefined) return head;
  // Process keys are self-delimiting, so the sorted keys, joined, stand for one multiset.
  return procs === undefined ? head + processKey(model, only) : head + procs.sort().join('');
}

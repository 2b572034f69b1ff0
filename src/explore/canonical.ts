// Canonical state keys under symmetry: threads of a process are interchangeable, and so are
// processes; names, dead tasks and ended processes do not count. Equal keys = isomorphic states.
// A task suspended in vfork (S) or stuck in an endless refault (H) differs from one that runs.
//
// A key is packed: every part a small integer (interned chart snapshots, the memory, the execs, an
// interned refault instruction), written as one-byte characters (see packInt), so that the
// explorer's table of seen states holds a few bytes per state and no number is ever printed.

import { isAlive, type SystemState, type ProcessSlot, type TaskSlot } from '../model/state.js';
import type { SystemModel } from '../model/system.js';

/**
 * `n` (0 or more) as characters below 256: seven bits per character, low bits first, every
 * character but the last with its high bit set, so that no packed number is a prefix of another.
 */
function packInt(n: number): string {
  let out = '';
  while (n >= 0x80) {
    out += String.fromCharCode(0x80 | n % 0x80);
    n = Math.floor(n / 0x80);
  }
  return out + String.fromCharCode(n);
}

/** Slots of a task's flags below its snapshot id: suspended (1 bit), then the refault instruction (0 = none). */
const FLAG_SLOTS = 2 ** 20;

function instructionId(model: SystemModel, t: TaskSlot): number {
  if (t.stuckOn === null) return 0;
  const known = model.instructionIds.get(t.stuckOn.key);
  if (known !== undefined) return known;
  const id = model.instructionIds.size + 1;
  model.instructionIds.set(t.stuckOn.key, id);
  return id;
}

/** A live task as one number: its snapshot, whether it is suspended, what it is stuck on. */
function taskCode(model: SystemModel, t: TaskSlot): number {
  return model.task.id(t.snapshot) * FLAG_SLOTS + instructionId(model, t) * 2 + (t.suspended ? 1 : 0);
}

/** Computed afresh each time: remembering keys per slot in a WeakMap cost more than the keys (a third of the search). */
export function processKey(model: SystemModel, p: ProcessSlot): string {
  const codes: number[] = [];
  for (const t of p.tasks) if (isAlive(t)) codes.push(taskCode(model, t));
  codes.sort((a, b) => a - b);
  let k = packInt(model.process.id(p.snapshot) * 2 + (p.vforkParent !== null ? 1 : 0)) + packInt(codes.length);
  for (const c of codes) k += packInt(c);
  return k;
}

export function canonicalKey(model: SystemModel, s: SystemState, execs: number): string {
  const head = packInt(s.memory === 'available' ? 0 : 1) + packInt(execs);
  let only: string | undefined;
  let procs: string[] | undefined;
  for (const p of s.processes) {
    if (!p.tasks.some(isAlive)) continue;
    const k = processKey(model, p);
    if (only === undefined) only = k;
    else (procs ??= [only]).push(k);
  }
  // A process key is self-delimiting (packed numbers, its task count first), so the sorted keys, joined, stand for one multiset.
  return procs !== undefined ? head + procs.sort().join('') : head + (only ?? '');
}

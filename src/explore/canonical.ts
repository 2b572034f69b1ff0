// Canonical state keys under symmetry: threads of a process are interchangeable, and so are
// processes; names, dead tasks and ended processes do not count (a zombie leader does: it holds its
// buffer and altstack, and its snapshot says it leads). Equal keys = isomorphic states.
// A task suspended in vfork (S) or stuck in an endless refault (H) differs from one that runs.

import { isAlive, onThreadList, type SystemState, type ProcessSlot } from '../model/state.js';
import type { SystemModel } from '../model/system.js';

export function processKey(model: SystemModel, p: ProcessSlot): string {
  const known = model.slotKeys.get(p);
  if (known !== undefined) return known;
  const tasks: string[] = [];
  for (const t of p.tasks) if (onThreadList(t)) tasks.push((t.suspended ? 'S' : '') + (t.stuckOn !== null ? `H${t.stuckOn.key}` : '') + String(model.task.id(t.snapshot)));
  tasks.sort();
  const k = `${p.vforkParent !== null ? 'V' : ''}${model.process.id(p.snapshot)}[${tasks.join(',')}]`;
  model.slotKeys.set(p, k);
  return k;
}

export function canonicalKey(model: SystemModel, s: SystemState, execs: number): string {
  const procs = s.processes
    .filter((p) => p.tasks.some(isAlive))
    .map((p) => processKey(model, p))
    .sort();
  return `${s.memory}|${execs}|${procs.join('|')}`;
}

// The process-modular search's units (`check --processes any`). The rules let a step of one process
// reach another in one way only: a vfork child that execs or exits wakes its parent (World.
// resumeVforkParent). Fork and vfork create a process; nothing else crosses. So the live processes of
// a state fall into units, the groups the vfork relation joins (most often one process each), and
// each unit goes on as if the others were not there: what a unit can do next depends on itself, the
// memory and the execs along its own path. docs/checking.md (Every process count) gives the argument.

import { hasLargeBuffer, isAlive, type BufferCounts, type ProcessSlot, type SystemState } from '../model/state.js';

/** Whether a configuration's process bound asks for every number of processes: the search by units. */
export function everyProcessCount(maxProcesses: number): boolean {
  return maxProcesses === Number.POSITIVE_INFINITY;
}

/** The large buffers a unit's tasks hold: what its counters start from. */
function heldBuffers(processes: readonly ProcessSlot[]): BufferCounts {
  let allocated = 0;
  for (const p of processes) for (const t of p.tasks) if (hasLargeBuffer(t)) allocated++;
  return { allocated, freed: 0, leaked: 0 };
}

/**
 * The units of `s`: `[s]` itself when its live processes form one unit (or none); otherwise one state
 * per unit, with the same memory, the unit's processes in their order, and buffer counters that start
 * from the buffers the unit holds (allocated = held, nothing freed or leaked), so that the counters'
 * balance, which BuffersAreAccountedFor judges, holds in each unit as it held in `s`.
 */
export function unitsOf(s: SystemState): readonly SystemState[] {
  const n = s.processes.length;
  if (n < 2) return [s];
  // Union-find over the processes, joined where a process is the vfork child of a task of another.
  const root = s.processes.map((_p, i) => i);
  const find = (i: number): number => (root[i] === i ? i : (root[i] = find(root[i]!)));
  s.processes.forEach((p, i) => {
    if (p.vforkParent === null) return;
    const parent = s.processes.findIndex((q) => q.tasks.some((t) => t.name === p.vforkParent));
    if (parent >= 0) root[find(i)] = find(parent);
  });
  const groups = new Map<number, ProcessSlot[]>();
  s.processes.forEach((p, i) => {
    const r = find(i);
    const group = groups.get(r);
    if (group) group.push(p);
    else groups.set(r, [p]);
  });
  const live = [...groups.values()].filter((g) => g.some((p) => p.tasks.some(isAlive)));
  if (live.length < 2) return [s];
  return live.map((processes) => ({ memory: s.memory, processes, buffers: heldBuffers(processes) }));
}

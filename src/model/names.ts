// Where each task name of a state lives. Tasks and processes are only ever appended, never removed or
// moved, so a name's position never changes once it has one: a state made by a step shares its
// predecessor's map and appends the names the step created. `size` says how many of the map's
// entries (those with an ordinal below it) belong to this state; a state whose sibling appended first
// copies its own entries instead (explore branches, simulate does not).

import type { SystemState } from './state.js';

interface NameIndex {
  readonly positions: Map<string, { readonly pi: number; readonly ti: number; readonly ordinal: number }>;
  readonly size: number;
}

/** A state this small is searched directly (the explorer's states all are); a larger one through its index. */
const DIRECT_SEARCH_PROCESSES = 4;
const DIRECT_SEARCH_TASKS = 8;

export interface TaskPosition {
  readonly pi: number;
  readonly ti: number;
}

/** The first task named `name`, searched from the front. */
function searched(ps: SystemState['processes'], name: string): TaskPosition | undefined {
  for (let pi = 0; pi < ps.length; pi++) {
    const tasks = ps[pi]!.tasks;
    for (let ti = 0; ti < tasks.length; ti++) if (tasks[ti]!.name === name) return { pi, ti };
  }
  return undefined;
}

/** Whether a state is small enough to search directly (a loop: it runs on every step). */
function isSmall(ps: SystemState['processes']): boolean {
  if (ps.length > DIRECT_SEARCH_PROCESSES) return false;
  for (const p of ps) if (p.tasks.length > DIRECT_SEARCH_TASKS) return false;
  return true;
}

export class TaskNames {
  private readonly indexes = new WeakMap<SystemState, NameIndex>();
  /** Whether any state has an index: a search's states are small enough to have none, and need no look-up in `indexes` per step. */
  private indexed = false;

  /** Where task `name` is in `state`: its process and its place there; undefined when no task has the name. */
  locate(state: SystemState, name: string): TaskPosition | undefined {
    const ps = state.processes;
    if (isSmall(ps)) return searched(ps, name);
    const index = this.indexOf(state);
    const at = index.positions.get(name);
    return at !== undefined && at.ordinal < index.size ? { pi: at.pi, ti: at.ti } : undefined;
  }

  private indexOf(state: SystemState): NameIndex {
    const known = this.indexes.get(state);
    if (known) return known;
    const positions: NameIndex['positions'] = new Map();
    state.processes.forEach((p, pi) =>
      p.tasks.forEach((t, ti) => {
        // The first task of a name wins, as a search from the front finds it.
        if (!positions.has(t.name)) positions.set(t.name, { pi, ti, ordinal: positions.size });
      }),
    );
    const index = { positions, size: positions.size };
    this.indexes.set(state, index);
    this.indexed = true;
    return index;
  }

  /**
   * Hands `before`'s index on to `after`, made from it by a step of process `pi` (none for a step
   * of the environment), with the names the step added.
   */
  inherit(before: SystemState, after: SystemState, pi: number | undefined): void {
    if (!this.indexed) return;
    const index = this.indexes.get(before);
    if (!index) return;
    const added: [string, number, number][] = [];
    if (pi !== undefined) {
      const from = before.processes[pi]!.tasks.length;
      const tasks = after.processes[pi]!.tasks;
      for (let ti = from; ti < tasks.length; ti++) added.push([tasks[ti]!.name, pi, ti]);
    }
    for (let q = before.processes.length; q < after.processes.length; q++) after.processes[q]!.tasks.forEach((t, ti) => added.push([t.name, q, ti]));
    if (added.length === 0) {
      this.indexes.set(after, index);
      return;
    }
    let { positions, size } = index;
    // Another state made from `before` appended first: copy this state's own entries.
    if (positions.size !== size) positions = new Map([...positions].filter(([, at]) => at.ordinal < size));
    for (const [name, q, ti] of added) if (!positions.has(name)) positions.set(name, { pi: q, ti, ordinal: size++ });
    this.indexes.set(after, { positions, size });
  }
}

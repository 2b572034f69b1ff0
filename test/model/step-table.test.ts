import { describe, expect, it } from 'vitest';
import { candidateSteps } from '../../src/explore/candidates.js';
import { boundedConfig, CONFIGS, opsNamed, type ExploreConfig } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import type { NextResult, SystemModel } from '../../src/model/system.js';
import type { SystemState, TaskSnapshot, ProcessSnapshot } from '../../src/model/state.js';
import { modelFor, simulate } from '../../src/simulate/simulate.js';
import { toScenario } from '../../src/scenario/format.js';
import type { RawStep } from '../support/scenario.js';
import type { VariantName } from '../../machines/variants.js';

/** A chart snapshot as its state value and context: comparable across models, whose snapshot objects differ. */
const chart = (s: TaskSnapshot | ProcessSnapshot) => JSON.stringify([s.value, s.context]);

/** A step's result with every chart snapshot written out: what the step table must reproduce exactly. */
function written(r: NextResult): unknown {
  if (!r.ok) return r;
  return {
    state: {
      memory: r.state.memory,
      buffers: r.state.buffers,
      processes: r.state.processes.map((p) => ({
        snapshot: chart(p.snapshot),
        vforkParent: p.vforkParent,
        tasks: p.tasks.map((t) => ({ name: t.name, snapshot: chart(t.snapshot), suspended: t.suspended, stuckOn: t.stuckOn?.key ?? null })),
      })),
    },
    outcome: r.outcome,
    trace: r.trace.map((c) => ({ chart: c.chart, origin: 'from' in c.origin ? { from: chart(c.origin.from as TaskSnapshot), event: c.origin.event } : c.origin })),
    owners: r.owners,
  };
}

/** About `count` states of the configuration, spread over its breadth-first order. */
function statesOf(model: SystemModel, config: ExploreConfig, count: number): { state: SystemState; execs: number; nextId: number }[] {
  const all: SystemState[] = [];
  explore(model, config, { onState: (_key, s) => void all.push(s) });
  const every = Math.max(1, Math.ceil(all.length / count));
  // execs and nextId only bound the candidates; 0 and a fresh number offer every step.
  return all.filter((_s, i) => i % every === 0).map((state) => ({ state, execs: 0, nextId: 1000 }));
}

/** `forks` with VFORK beside FORK: no preset has it. */
function forksAndVfork(): ExploreConfig {
  const vfork = opsNamed('VFORK');
  if (!('choices' in vfork)) throw new Error('no op VFORK');
  return boundedConfig(CONFIGS['forks']!, { ops: { choices: [...CONFIGS['forks']!.ops, ...vfork.choices], named: 'core, FORK and VFORK' } });
}

const CONFIGURATIONS: Readonly<Record<string, ExploreConfig>> = { ...CONFIGS, 'forks and vfork': forksAndVfork() };

describe('the step table replays what the charts do', () => {
  it.each([
    ['linux', 'lazy', 2000],
    ['linux', 'default', 400],
    ['linux', 'forks', 600],
    ['linux', 'forks and vfork', 600],
    ['no-xfd', 'default', 300],
  ] as const)('%s/%s: every step from the states, taken twice with the table (and a new task under another name), is the step taken by xstate without memo tables', (variant: VariantName, config, count) => {
    const memoised = modelFor(variant);
    const plain = modelFor(variant, undefined, { memoise: false });
    let compared = 0;
    let forked = 0;
    // FORK's steps the table holds (its new process is a function of the forking task's), and VFORK's (none: it suspends its parent by name).
    const held = { FORK: 0, VFORK: 0 };
    for (const point of statesOf(memoised, CONFIGURATIONS[config]!, count))
      for (const step of candidateSteps(memoised, CONFIGURATIONS[config]!, point)) {
        const expected = written(plain.next(point.state, step));
        // The first run may make an entry; the second replays it.
        expect(written(memoised.next(point.state, step))).toEqual(expected);
        expect(written(memoised.next(point.state, step))).toEqual(expected);
        compared++;
        if (step.op === 'FORK' || step.op === 'VFORK') {
          const at = memoised.locate(point.state, step.task!)!;
          const row = memoised.tableRow(point.state, at.pi, at.ti);
          if (row !== undefined && memoised.tableEntry(row, step) !== undefined) held[step.op]++;
        }
        // A step that creates a task, replayed under another new name: the name is no part of the entry.
        if (step.fields['child'] === undefined) continue;
        const renamed = { ...step, fields: { ...step.fields, child: 't2000' } };
        expect(written(memoised.next(point.state, renamed))).toEqual(written(plain.next(point.state, renamed)));
        if (step.op === 'FORK' || step.op === 'VFORK') forked++;
      }
    expect(compared).toBeGreaterThan(count);
    if (config.startsWith('forks')) expect(forked).toBeGreaterThan(5);
    if (config.startsWith('forks')) expect(held.FORK).toBeGreaterThan(0);
    expect(held.VFORK).toBe(0);
    expect(memoised.stepTableSize).toBeGreaterThan(0);
  });
});

describe('the step table keeps steps that ask about the rest of their process', () => {
  const model = modelFor('linux');
  /** The state after the steps, simulated through this model (its step table). */
  const after = (...steps: readonly RawStep[]): SystemState => simulate(toScenario({ variant: 'linux', steps }), model).finalState;
  /** Step `op` of `task` from `state` through the table: whether it held the step before, and the step's result. */
  function take(state: SystemState, task: string, op: string, fields: Record<string, string | number> = {}): { held: boolean; r: NextResult } {
    const at = model.locate(state, task)!;
    const step = { op, task, fields };
    const row = model.tableRow(state, at.pi, at.ti);
    const held = row !== undefined && model.tableEntry(row, step) !== undefined;
    return { held, r: model.next(state, step) };
  }
  // An altstack size the permission request refuses (below AT_MINSIGSTKSZ with AMX).
  const SMALL = 2048;
  const PERMITTED_WITH_TWO_THREADS: readonly RawStep[] = [
    { task: 'main', op: 'REQ_PERM', feature: 18 },
    { task: 'main', op: 'CLONE_THREAD', child: 't1' },
    { task: 'main', op: 'CLONE_THREAD', child: 't2' },
  ];

  it("a permission request is kept under whether another thread's altstack is too small, and found only where the answer is the same", () => {
    const refused = after({ task: 'main', op: 'CLONE_THREAD', child: 't1' }, { task: 't1', op: 'SIGALTSTACK', size: SMALL });
    expect(take(refused, 'main', 'REQ_PERM', { feature: 18 })).toMatchObject({ held: false, r: { ok: true, outcome: { outcome: 'ENOSPC' } } });
    expect(take(refused, 'main', 'REQ_PERM', { feature: 18 })).toMatchObject({ held: true, r: { ok: true, outcome: { outcome: 'ENOSPC' } } });
    // main and the process chart are as they were; only t1's altstack differs: the other answer, no entry.
    const granted = after({ task: 'main', op: 'CLONE_THREAD', child: 't1' });
    expect(take(granted, 'main', 'REQ_PERM', { feature: 18 })).toMatchObject({ held: false, r: { ok: true, outcome: { outcome: 'ok' } } });
  });

  it('a request of a process that holds permission, and the exit of a thread whose siblings run, are held after their first run', () => {
    const permitted = after(...PERMITTED_WITH_TWO_THREADS);
    for (const [task, op, fields] of [['main', 'REQ_PERM', { feature: 18 }], ['t1', 'EXIT', {}]] as const) {
      expect(take(permitted, task, op, fields).held, `${task} ${op}`).toBe(false);
      expect(take(permitted, task, op, fields).held, `${task} ${op}`).toBe(true);
    }
    // Main's exit, its threads running: main stays a zombie leader; t1's exit beside it leaves t2 running.
    const zombie = after(...PERMITTED_WITH_TWO_THREADS, { task: 'main', op: 'EXIT' });
    take(zombie, 't1', 'EXIT');
    expect(take(zombie, 't1', 'EXIT').held).toBe(true);
    // The last thread's exit releases the zombie leader: a step that reaches another task is never kept.
    const last = after({ task: 'main', op: 'REQ_PERM', feature: 18 }, { task: 'main', op: 'CLONE_THREAD', child: 't1' }, { task: 'main', op: 'EXIT' });
    take(last, 't1', 'EXIT');
    expect(take(last, 't1', 'EXIT').held).toBe(false);
  });
});

describe('the step table keeps a step that ends its thread group', () => {
  it('replays the end onto the other threads of each state as the charts take it, and the search still takes the step', () => {
    const model = modelFor('linux');
    const plain = modelFor('linux', undefined, { memoise: false });
    const threads: readonly RawStep[] = [
      { task: 'main', op: 'CLONE_THREAD', child: 't1' },
      { task: 'main', op: 'CLONE_THREAD', child: 't2' },
    ];
    // t1 is the same in each, the other threads are not: one running a handler, one a zombie leader.
    const prefixes: readonly (readonly RawStep[])[] = [
      threads,
      [...threads, { task: 't2', op: 'LDTILECFG' }, { task: 'main', op: 'SIGNAL', onstack: false }],
      [...threads, { task: 'main', op: 'CLONE_THREAD', child: 't3' }, { task: 'main', op: 'EXIT' }],
    ];
    // Without permission a first TOUCH is SIGILL, whose default action kills every thread; EXEC kills the others.
    const ends = [
      { op: 'TOUCH', task: 't1', fields: {} },
      { op: 'EXEC', task: 't1', fields: {} },
    ];
    let replayedOntoOthers = 0;
    // The prefixes' own steps make entries too: the states first, then the table's size is the ends' alone.
    const states = prefixes.map((steps) => simulate(toScenario({ variant: 'linux', steps }), model).finalState);
    const entriesBefore = model.stepTableSize;
    for (const state of states) {
      const at = model.locate(state, 't1')!;
      for (const step of ends) {
        const expected = written(plain.next(state, step));
        expect(written(model.next(state, step))).toEqual(expected);
        // The entry changes other threads: it says so, and the search, which may not count the step from the entry alone, replays it.
        const row = model.tableRow(state, at.pi, at.ti);
        expect(row).toBeDefined();
        const entry = model.tableEntry(row!, step);
        expect(entry?.effect.groupEnd).toBeDefined();
        expect(written(model.replayEntry(row!, step, entry!))).toEqual(expected);
        const r = model.next(state, step);
        expect(written(r)).toEqual(expected);
        if (r.ok && r.owners.some((o) => typeof o === 'number' && o !== at.ti)) replayedOntoOthers++;
      }
    }
    // One entry for each step, made in the first state and replayed onto the others.
    expect(model.stepTableSize - entriesBefore).toBe(2);
    expect(replayedOntoOthers).toBe(2 * prefixes.length);
  });
});

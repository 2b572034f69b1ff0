// The model's bounds (src/scenario/limits.ts) and the task-name index that keeps a step's cost
// independent of how many tasks the scenario made: the index answers as a search would, on one run
// and on runs that branch from a shared state, as the explorer's do.

import { describe, expect, it } from 'vitest';
import { toScenario } from '../../src/scenario/format.js';
import { modelFor, simulate } from '../../src/simulate/simulate.js';
import { MAX_PROCESSES, MAX_SIGNAL_DEPTH, MAX_STEPS, MAX_THREADS_PER_PROCESS } from '../../src/scenario/limits.js';
import type { SystemModel } from '../../src/model/system.js';
import type { SystemState } from '../../src/model/state.js';
import type { Step } from '../../src/scenario/format.js';

/** Where a name is, found by looking at every task. */
function search(state: SystemState, name: string): { pi: number; ti: number } | undefined {
  for (const [pi, p] of state.processes.entries()) {
    const ti = p.tasks.findIndex((t) => t.name === name);
    if (ti >= 0) return { pi, ti };
  }
  return undefined;
}

function run(model: SystemModel, state: SystemState, steps: readonly Step[]): SystemState {
  let s = state;
  for (const [i, step] of steps.entries()) {
    const r = model.step(s, step, i + 1);
    if (!r.ok) throw new Error(r.error);
    s = r.state;
  }
  return s;
}

const clone = (task: string, child: string): Step => ({ op: 'CLONE_THREAD', task, fields: { child } });
const fork = (task: string, child: string): Step => ({ op: 'FORK', task, fields: { child } });

describe('the task-name index', () => {
  it('finds every task where a search finds it, in states past the direct-search size', () => {
    const model = modelFor('linux');
    const steps = [...Array.from({ length: 12 }, (_, i) => clone('main', `t${i}`)), ...Array.from({ length: 6 }, (_, i) => fork(`t${i}`, `p${i}`)), clone('p3', 'q')];
    const state = run(model, model.initial('main'), steps);
    const names = ['main', ...Array.from({ length: 12 }, (_, i) => `t${i}`), ...Array.from({ length: 6 }, (_, i) => `p${i}`), 'q', 'nobody'];
    for (const name of names) expect(model.locate(state, name), name).toEqual(search(state, name));
  });

  it('keeps branches apart: a name created on one branch is unknown on its sibling', () => {
    const model = modelFor('linux');
    const base = run(model, model.initial('main'), Array.from({ length: 12 }, (_, i) => clone('main', `t${i}`)));
    model.locate(base, 'main');
    const a = run(model, base, [clone('main', 'x')]);
    const b = run(model, base, [clone('t1', 'y'), fork('y', 'z')]);
    const c = run(model, base, [clone('main', 'y')]);
    expect(model.locate(a, 'x')).toEqual(search(a, 'x'));
    expect(model.locate(a, 'y')).toBeUndefined();
    expect(model.locate(b, 'x')).toBeUndefined();
    expect(model.locate(b, 'y')).toEqual(search(b, 'y'));
    expect(model.locate(b, 'z')).toEqual(search(b, 'z'));
    expect(model.locate(c, 'y')).toEqual(search(c, 'y'));
    expect(model.locate(c, 'z')).toBeUndefined();
    expect(model.locate(base, 'x')).toBeUndefined();
    const r = model.step(a, { op: 'GET_PERM', task: 'y', fields: {} }, 14);
    expect(r.ok).toBe(false);
    // The same name on two branches is two different tasks, each where its branch put it.
    expect(model.step(c, { op: 'CLONE_THREAD', task: 'main', fields: { child: 'x' } }, 14).ok).toBe(true);
  });
});

describe('the bounds', () => {
  const steps = (...s: readonly Record<string, unknown>[]) => toScenario({ steps: s });
  const errorOf = (run: () => unknown): { message: string; step?: number; field?: string } => {
    try {
      run();
    } catch (e) {
      return e as { message: string; step?: number; field?: string };
    }
    throw new Error('accepted');
  };

  it(`a scenario has at most ${MAX_STEPS} steps`, () => {
    const e = errorOf(() => steps(...Array.from({ length: MAX_STEPS + 1 }, () => ({ task: 'main', op: 'GET_PERM' }))));
    expect(e).toMatchObject({ field: 'steps', message: `scenario: field "steps" has ${MAX_STEPS + 1} steps; a scenario has at most ${MAX_STEPS}` });
  });

  it(`a process has at most ${MAX_THREADS_PER_PROCESS} threads, exited ones included`, () => {
    const made = Array.from({ length: MAX_THREADS_PER_PROCESS - 1 }, (_, i) => [
      { task: 'main', op: 'CLONE_THREAD', child: `t${i}` },
      { task: `t${i}`, op: 'EXIT' },
    ]).flat();
    expect(simulate(steps(...made)).observations).toHaveLength(made.length);
    const e = errorOf(() => simulate(steps(...made, { task: 'main', op: 'CLONE_THREAD', child: 'one-more' })));
    expect(e).toMatchObject({ step: made.length + 1, field: 'child' });
    expect(e.message).toContain(`a process has at most ${MAX_THREADS_PER_PROCESS}`);
  });

  it(`a scenario has at most ${MAX_PROCESSES} processes`, () => {
    const made = Array.from({ length: MAX_PROCESSES - 1 }, (_, i) => ({ task: 'main', op: 'FORK', child: `p${i}` }));
    expect(simulate(steps(...made)).observations).toHaveLength(made.length);
    const e = errorOf(() => simulate(steps(...made, { task: 'p7', op: 'VFORK', child: 'one-more' })));
    expect(e).toMatchObject({ step: MAX_PROCESSES, field: 'child' });
  });

  it(`a task runs at most ${MAX_SIGNAL_DEPTH} nested handlers; returning from one makes room again`, () => {
    const nested = Array.from({ length: MAX_SIGNAL_DEPTH }, () => ({ task: 'main', op: 'SIGNAL' }));
    const e = errorOf(() => simulate(steps(...nested, { task: 'main', op: 'SIGNAL' })));
    expect(e).toMatchObject({ step: MAX_SIGNAL_DEPTH + 1, field: 'op' });
    expect(e.message).toContain(`already runs ${MAX_SIGNAL_DEPTH} nested signal handlers`);
    const out = simulate(steps(...nested, { task: 'main', op: 'SIGRETURN' }, { task: 'main', op: 'SIGNAL' })).observations;
    expect(out.at(-1)?.outcome).toBe('ok');
  });
});

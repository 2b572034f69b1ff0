// The search by units (`check --processes any`, src/explore/units.ts): each group of processes the
// vfork relation joins is searched apart, the others idle. Its verdicts must be those of the bounded
// searches, its states the units of the bounded searches' states, and its counterexamples concrete
// runs that break their property.

import { describe, expect, it } from 'vitest';
import { VARIANT_NAMES, type VariantName } from '../../machines/variants.js';
import { boundedConfig, CONFIGS, opsNamed, type ExploreConfig } from '../../src/explore/config.js';
import { canonicalKey } from '../../src/explore/canonical.js';
import { explore, MAIN_TASK, type ExploreResult } from '../../src/explore/explore.js';
import { everyProcessCount, unitsOf } from '../../src/explore/units.js';
import type { Transition } from '../../src/explore/property.js';
import { hasLargeBuffer, isAlive, type SystemState } from '../../src/model/state.js';
import { checkVariantAnyThreads } from '../../src/check/counter-check.js';
import { exploreCounter } from '../../src/explore/counter.js';
import type { SystemModel } from '../../src/model/system.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';
import { modelFor } from '../../src/simulate/simulate.js';
import type { Step } from '../../src/scenario/format.js';

const ANY = Number.POSITIVE_INFINITY;

function withOps(preset: string, ops: string, processes: number, threads?: number): ExploreConfig {
  const choices = opsNamed(ops);
  if ('unknown' in choices) throw new Error(`no op ${choices.unknown}`);
  return boundedConfig(CONFIGS[preset]!, { processes, ...(threads !== undefined ? { threads } : {}), ops: { choices: choices.choices, named: ops } });
}

/** VFORK makes units of two processes; FORK, EXIT, EXEC and OOM make and end units. */
const VFORK_OPS = 'REQ_PERM,LDTILECFG,TOUCH,CLONE_THREAD,EXIT,EXEC,VFORK,FORK,OOM_BEGIN,OOM_END,SIGNAL,SIGRETURN';

/** What a search says per property: the verdict and the counterexample's steps. */
function verdicts(r: ExploreResult): Record<string, readonly Step[] | 'holds'> {
  return Object.fromEntries(PROPERTIES.map((p) => [p.name, r.violations.get(p.name)?.steps ?? 'holds']));
}

/** The units of every state a search finds, as keys without the execs (a unit counts only its own path's). */
function unitKeys(model: SystemModel, config: ExploreConfig): Set<string> {
  const keys = new Set<string>();
  explore(model, config, { onState: (_k, s) => unitsOf(s).forEach((u) => keys.add(canonicalKey(model, u, 0))) });
  return keys;
}

function run(model: SystemModel, steps: readonly Step[]): { before: SystemState; after: SystemState; transition: Transition } {
  let state = model.initial(MAIN_TASK);
  let transition: Transition | undefined;
  let before = state;
  for (const step of steps) {
    const r = model.next(state, step);
    if (!r.ok) throw new Error(r.error);
    before = state;
    transition = { before: state, step, observation: r.outcome, after: r.state, model };
    state = r.state;
  }
  return { before, after: state, transition: transition! };
}

describe('units of a state', () => {
  const model = modelFor('linux');
  const start = model.initial(MAIN_TASK);
  const step = (s: SystemState, op: string, task: string, fields: Step['fields'] = {}) => {
    const r = model.next(s, { op, task, fields });
    if (!r.ok) throw new Error(r.error);
    return r.state;
  };

  it('are the state itself while one group of processes lives', () => {
    expect(unitsOf(start)).toEqual([start]);
    const vforked = step(start, 'VFORK', MAIN_TASK, { child: 'c' });
    expect(vforked.processes).toHaveLength(2);
    expect(unitsOf(vforked)[0]).toBe(vforked);
    expect(unitsOf(vforked)).toHaveLength(1);
  });

  it('split a fork into two processes, each with counters that start from the large buffers it holds', () => {
    const permitted = step(start, 'REQ_PERM', MAIN_TASK, { feature: 18 });
    const used = step(step(permitted, 'LDTILECFG', MAIN_TASK, { palette: 1 }), 'TOUCH', MAIN_TASK);
    expect(used.processes[0]!.tasks.filter(hasLargeBuffer)).toHaveLength(1);
    const forked = step(used, 'FORK', MAIN_TASK, { child: 'c' });
    const units = unitsOf(forked);
    expect(units.map((u) => u.processes.map((p) => p.tasks.map((t) => t.name)))).toEqual([[[MAIN_TASK]], [['c']]]);
    for (const u of units) {
      const held = u.processes.flatMap((p) => p.tasks).filter(hasLargeBuffer).length;
      expect(u.buffers).toEqual({ allocated: held, freed: 0, leaked: 0 });
      expect(u.memory).toBe(forked.memory);
    }
  });

  it('leave out a process that has ended', () => {
    const forked = step(start, 'FORK', MAIN_TASK, { child: 'c' });
    const cloned = step(forked, 'CLONE_THREAD', MAIN_TASK, { child: 'd' });
    const childGone = step(cloned, 'EXIT', 'c');
    expect(unitsOf(childGone)).toEqual([childGone]);
    const again = step(childGone, 'FORK', 'd', { child: 'e' });
    expect(unitsOf(again).map((u) => u.processes.length)).toEqual([1, 1]);
  });

  it('are asked for by an unbounded process count alone', () => {
    expect(everyProcessCount(ANY)).toBe(true);
    expect(everyProcessCount(8)).toBe(false);
  });
});

describe('the search by units (--processes any)', () => {
  const cases: readonly { name: string; bounded: ExploreConfig; variants: readonly VariantName[] }[] = [
    { name: 'forks (2 x 1, core ops and FORK)', bounded: CONFIGS['forks']!, variants: VARIANT_NAMES },
    { name: 'large (2 x 3)', bounded: CONFIGS['large']!, variants: ['linux', 'prealloc-at-permission', 'no-xfd'] },
    { name: 'VFORK and FORK, 2 x 1', bounded: withOps('default', VFORK_OPS, 2, 1), variants: VARIANT_NAMES },
  ];
  for (const c of cases)
    it(`gives the verdicts and shortest counterexamples of the bounded search on ${c.name}, for ${c.variants.join(', ')}`, () => {
      for (const variant of c.variants) {
        const model = modelFor(variant);
        const bounded = explore(model, c.bounded, { properties: PROPERTIES });
        const byUnits = explore(modelFor(variant), { ...c.bounded, maxProcesses: ANY }, { properties: PROPERTIES });
        expect(byUnits.stats.complete).toBe(true);
        expect(verdicts(byUnits), variant).toEqual(verdicts(bounded));
        expect(byUnits.stats.states, 'fewer states than the product').toBeLessThan(bounded.stats.states);
      }
    });

  it('finds exactly the units of the states of the bounded search, on forks and with VFORK (linux, no-xfd)', () => {
    for (const variant of ['linux', 'no-xfd'] as const)
      for (const bounded of [CONFIGS['forks']!, withOps('default', VFORK_OPS, 2, 1)]) {
        const model = modelFor(variant);
        const units = unitKeys(model, { ...bounded, maxProcesses: ANY });
        const projected = unitKeys(model, bounded);
        expect(units.size).toBeGreaterThan(10);
        expect([...units].filter((k) => !projected.has(k)), `${variant}: units no bounded run reaches`).toEqual([]);
        expect([...projected].filter((k) => !units.has(k)), `${variant}: units the search by units misses`).toEqual([]);
      }
  });

  it('hands out counterexamples that are runs that break their property', () => {
    const config = { ...withOps('default', 'REQ_PERM,LDTILECFG,TOUCH,TILERELEASE,CLONE_THREAD,EXIT,EXEC,FORK,OOM_BEGIN,OOM_END,SIGALTSTACK,SIGNAL,SIGRETURN', 1, 2), maxProcesses: ANY };
    for (const variant of VARIANT_NAMES) {
      const model = modelFor(variant);
      const r = explore(model, config, { properties: PROPERTIES });
      expect(r.violations.size, variant).toBeGreaterThan(0);
      for (const v of r.violations.values()) {
        const p = PROPERTIES.find((q) => q.name === v.property)!;
        if (p.kind !== 'eventually') expect(p.holds(run(model, v.steps).transition), `${variant}: ${v.property} on its counterexample`).toBe(false);
      }
    }
  });

  it('reaches each unit by a path that, run with every process it forks, ends in a state that has the unit', () => {
    // A child forked inside a signal handler starts where no process of one thread gets: its paths
    // run on beside the parent that forked it.
    const config = { ...CONFIGS['forks']!, maxProcesses: ANY };
    const model = modelFor('linux');
    let throughFork = 0;
    explore(model, config, {
      onTransition: (t) => {
        if (!t.fresh || !t.path().some((s) => s.op === 'FORK')) return;
        throughFork++;
        const steps = t.path();
        const { after } = run(model, steps);
        const execs = steps.filter((s, n) => s.op === 'EXEC' && run(model, steps.slice(0, n + 1)).transition.observation.outcome === 'ok').length;
        const reached = unitsOf(after).map((u) => canonicalKey(model, u, execs));
        expect(reached, JSON.stringify(steps)).toContain(canonicalKey(model, t.after, execs));
      },
    });
    expect(throughFork, 'units found only through a fork').toBeGreaterThan(10);
  });
});

describe('--threads any with --processes any: views of units', () => {
  const FEW_OPS_AND_FORK = 'REQ_PERM,LDTILECFG,TOUCH,CLONE_THREAD,EXIT,EXEC,FORK,OOM_BEGIN,OOM_END,SIGALTSTACK';
  const config = { ...withOps('default', FEW_OPS_AND_FORK, 1), maxProcesses: ANY };
  for (const variant of ['linux', 'linux-fixed'] as const)
    it(`${variant}, ${FEW_OPS_AND_FORK}: agrees with the search by units at 1 to 3 threads, and every configuration is a unit it reaches with 3`, () => {
      const any = checkVariantAnyThreads(variant, config);
      expect(any.search.stats.complete).toBe(true);
      const bounded = [1, 2, 3].map((threads) => explore(modelFor(variant), boundedConfig(config, { threads }), { properties: PROPERTIES }));
      for (const p of PROPERTIES) {
        const cell = any.cells[p.name]!;
        if (cell.verdict === 'not judged') continue;
        const brokenAt = bounded.findIndex((b) => b.violations.has(p.name));
        expect({ property: p.name, verdict: cell.verdict }).toEqual({ property: p.name, verdict: brokenAt >= 0 ? 'violated' : 'holds' });
        if (cell.verdict === 'violated') expect(cell.threads).toBe(brokenAt + 1);
      }
      expect(Object.values(any.cells).some((c) => c.verdict === 'violated')).toBe(true);
      const model = modelFor(variant);
      const reached = new Set<string>();
      explore(model, boundedConfig(config, { threads: 3 }), { onState: (key) => reached.add(key) });
      let runs = 0;
      const missed: SystemState[] = [];
      exploreCounter(model, config, {
        onConfiguration: (s, execs) => {
          runs++;
          expect(s.processes.filter((q) => q.tasks.some(isAlive)).length, 'a configuration is one unit').toBeLessThanOrEqual(1);
          if (!reached.has(canonicalKey(model, s, execs))) missed.push(s);
        },
      });
      expect(runs).toBeGreaterThan(100);
      expect(missed).toEqual([]);
    });
});

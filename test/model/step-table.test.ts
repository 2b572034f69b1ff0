import { describe, expect, it } from 'vitest';
import { candidateSteps } from '../../src/explore/candidates.js';
import { boundedConfig, CONFIGS, opsNamed, type ExploreConfig } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import type { NextResult, SystemModel } from '../../src/model/system.js';
import type { SystemState, TaskSnapshot, ProcessSnapshot } from '../../src/model/state.js';
import { modelFor } from '../../src/simulate/simulate.js';
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
    ['linux', 'forks', 300],
    ['linux', 'forks and vfork', 300],
    ['no-xfd', 'default', 300],
  ] as const)('%s/%s: every step from the states, taken twice with the table (and a new task under another name), is the step taken by xstate without memo tables', (variant: VariantName, config, count) => {
    const memoised = modelFor(variant);
    const plain = modelFor(variant, undefined, { memoise: false });
    let compared = 0;
    let forked = 0;
    for (const point of statesOf(memoised, CONFIGURATIONS[config]!, count))
      for (const step of candidateSteps(memoised, CONFIGURATIONS[config]!, point)) {
        const expected = written(plain.next(point.state, step));
        // The first run may make an entry; the second replays it.
        expect(written(memoised.next(point.state, step))).toEqual(expected);
        expect(written(memoised.next(point.state, step))).toEqual(expected);
        compared++;
        // A step that creates a task, replayed under another new name: the name is no part of the entry.
        if (step.fields['child'] === undefined) continue;
        const renamed = { ...step, fields: { ...step.fields, child: 't2000' } };
        expect(written(memoised.next(point.state, renamed))).toEqual(written(plain.next(point.state, renamed)));
        if (step.op === 'FORK' || step.op === 'VFORK') forked++;
      }
    expect(compared).toBeGreaterThan(count);
    if (config.startsWith('forks')) expect(forked).toBeGreaterThan(5);
    expect(memoised.stepTableSize).toBeGreaterThan(0);
  });
});

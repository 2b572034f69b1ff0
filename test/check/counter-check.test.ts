// `check --threads any` against bounded runs: a "holds" for every thread count must hold at every
// bounded count, and a violation at any bounded count must be found; each violation comes with a
// concrete counterexample that the model replays. The cutoff is argued in docs/checking.md; here the
// verdicts at cutoff 1 and 2 are held against each other, and a property that reads three threads at
// once shows why the cutoff must reach as far as a property reads.

import { describe, expect, it } from 'vitest';
import { checkVariantAnyThreads, type AnyThreadsCheck } from '../../src/check/counter-check.js';
import { checkVariant } from '../../src/check/check.js';
import { canonicalKey } from '../../src/explore/canonical.js';
import { exploreCounter } from '../../src/explore/counter.js';
import { explore } from '../../src/explore/explore.js';
import { modelFor } from '../../src/simulate/simulate.js';
import { boundedConfig, CONFIGS, opsNamed, type ExploreConfig } from '../../src/explore/config.js';
import type { Property } from '../../src/explore/property.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';
import { hasLargeBuffer, isAlive, isGroupLeader, onThreadList, type SystemState } from '../../src/model/state.js';
import { parseScenario } from '../../src/scenario/format.js';
import { simulate } from '../../src/simulate/simulate.js';
import type { VariantName } from '../../machines/variants.js';

function withOps(preset: ExploreConfig, ops: string): ExploreConfig {
  const named = opsNamed(ops);
  if ('unknown' in named) throw new Error(`no op ${named.unknown}`);
  return boundedConfig(preset, { ops: { choices: named.choices, named: ops } });
}

/** A reduced op set whose four-thread state space a test can afford: permission, tiles, clone, exit, exec, OOM, altstacks. */
const FEW_OPS = 'REQ_PERM,LDTILECFG,TOUCH,CLONE_THREAD,EXIT,EXEC,OOM_BEGIN,OOM_END,SIGALTSTACK';

function verdicts(r: AnyThreadsCheck): Record<string, string> {
  return Object.fromEntries(Object.entries(r.cells).map(([name, c]) => [name, c.verdict]));
}

/** Every judged cell of `any` against the bounded runs at 1..maxThreads threads. */
function expectAgreement(variant: VariantName, config: ExploreConfig, maxThreads: number): AnyThreadsCheck {
  const any = checkVariantAnyThreads(variant, config);
  expect(any.search.stats.complete).toBe(true);
  const bounded = Array.from({ length: maxThreads }, (_, i) => checkVariant(variant, boundedConfig(config, { threads: i + 1 })));
  for (const p of PROPERTIES) {
    const cell = any.cells[p.name]!;
    if (cell.verdict === 'not judged') {
      expect(p.kind).toBe('eventually');
      continue;
    }
    const brokenAt = bounded.findIndex((b) => b.cells[p.name]!.verdict === 'violated');
    // Agreement: violated for every N exactly when some bounded run breaks it; replayed with the fewest threads.
    expect({ property: p.name, verdict: cell.verdict }).toEqual({ property: p.name, verdict: brokenAt >= 0 ? 'violated' : 'holds' });
    if (cell.verdict === 'violated') {
      expect(cell.threads).toBe(brokenAt + 1);
      // The counterexample is a scenario the model runs to its bad step.
      const run = simulate(parseScenario(JSON.stringify(cell.counterexample)));
      expect(run.observations).toHaveLength(cell.counterexample.steps.length);
    }
  }
  return any;
}

describe('check --threads any agrees with every bounded run', () => {
  for (const variant of ['linux', 'linux-fixed'] as const) {
    it(`${variant}, the default preset's ops, against 1 and 2 threads`, () => {
      const any = expectAgreement(variant, CONFIGS.default!, 2);
      expect(any.cells['AmxWorkIsNeverLostToEnomem']).toMatchObject({ verdict: 'violated', threads: 2 });
    });
    it(`${variant}, the lazy preset's ops, against 1 and 2 threads`, () => {
      const any = expectAgreement(variant, CONFIGS.lazy!, 2);
      expect(any.cells['FaultingInstructionEventuallyCompletes']!.verdict).toBe('not judged');
    });
    it(`${variant}, ${FEW_OPS}, against 1 to 4 threads`, () => {
      expectAgreement(variant, withOps(CONFIGS.default!, FEW_OPS), 4);
    });
  }
});

describe('exactness', () => {
  // A candidate violation is real when the configuration it ran in is a state some concrete run
  // reaches. Every live process of a concrete state has its group leader on its thread list (running,
  // or a zombie: issue 12), but a view of one thread may leave it out, so the search also runs
  // configurations without the leader, which no concrete run reaches: there the replay is what keeps
  // a verdict right (docs/checking.md says so). Every other configuration of the default preset's ops
  // is a state of the bounded run with two threads; on lazy's, the others that no two-thread run
  // reaches all hold a thread stuck in a refault.
  function unreached(variant: VariantName, preset: 'default' | 'lazy'): { readonly runs: number; readonly unreached: readonly SystemState[] } {
    const model = modelFor(variant);
    const reached = new Set<string>();
    explore(model, boundedConfig(CONFIGS[preset]!, { threads: 2 }), { onState: (key) => reached.add(key) });
    const runs: SystemState[] = [];
    const missed: SystemState[] = [];
    exploreCounter(model, CONFIGS[preset]!, {
      onConfiguration: (s, execs) => {
        runs.push(s);
        if (!reached.has(canonicalKey(model, s, execs))) missed.push(s);
      },
    });
    return { runs: runs.length, unreached: missed };
  }
  const leaderless = (s: SystemState) => s.processes.some((p) => p.tasks.some(onThreadList) && !p.tasks.some((t) => onThreadList(t) && isGroupLeader(t)));
  const stuck = (s: SystemState) => s.processes.some((p) => p.tasks.some((t) => t.stuckOn !== null));
  for (const variant of ['linux', 'linux-fixed'] as const) {
    it(`${variant}, default: every configuration that holds its group leader is a reachable state with two threads`, () => {
      const r = unreached(variant, 'default');
      expect(r.runs).toBeGreaterThan(0);
      expect(r.unreached.length).toBeGreaterThan(0);
      expect(r.unreached.filter((s) => !leaderless(s))).toEqual([]);
    });
    it(`${variant}, lazy: the configurations no two-thread run reaches lack the leader or hold a stuck thread`, () => {
      const r = unreached(variant, 'lazy');
      expect(r.unreached.length).toBeGreaterThan(0);
      expect(r.unreached.filter((s) => !leaderless(s) && !stuck(s))).toEqual([]);
    });
  }
});

describe('the cutoff', () => {
  const config = withOps(CONFIGS.default!, 'REQ_PERM,LDTILECFG,TOUCH,CLONE_THREAD,EXIT,EXEC,OOM_BEGIN,OOM_END');

  it('gives the same verdicts at cutoff 1 and 2 on the catalogue', () => {
    const one = checkVariantAnyThreads('linux', config, { cutoff: 1 });
    const two = checkVariantAnyThreads('linux', config, { cutoff: 2 });
    expect(two.search.stats.states).toBeGreaterThan(one.search.stats.states);
    expect(verdicts(two)).toEqual(verdicts(one));
  });

  // Not a claim about the kernel: a property that reads three threads at once, which no catalogue property does.
  const ThreeLargeBuffers: Property = {
    name: 'NeverThreeLargeBuffers',
    claim: 'No process has three live threads with a large buffer at once.',
    source: 'test',
    kind: 'state',
    holds: ({ after }) => after.processes.every((p) => p.tasks.filter((t) => isAlive(t) && hasLargeBuffer(t)).length < 3),
  };

  it('must reach as far as a property reads: three threads need cutoff 2', () => {
    const atTwo = checkVariant('linux', boundedConfig(config, { threads: 2 }), { properties: [ThreeLargeBuffers] });
    expect(atTwo.cells['NeverThreeLargeBuffers']!.verdict).toBe('holds');
    const cutoffTwo = checkVariantAnyThreads('linux', config, { cutoff: 2, properties: [ThreeLargeBuffers] });
    expect(cutoffTwo.cells['NeverThreeLargeBuffers']).toMatchObject({ verdict: 'violated', threads: 3 });
    // Cutoff 1 judges configurations of two threads: it cannot see three at once, which docs/checking.md says.
    const cutoffOne = checkVariantAnyThreads('linux', config, { cutoff: 1, properties: [ThreeLargeBuffers] });
    expect(cutoffOne.cells['NeverThreeLargeBuffers']!.verdict).toBe('holds');
  });
});

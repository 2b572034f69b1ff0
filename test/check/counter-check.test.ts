// `check --threads any` against bounded runs: a "holds" for every thread count must hold at every
// bounded count, and a violation at any bounded count must be found; each violation comes with a
// concrete counterexample that the model replays. The cutoff is argued in docs/checking.md; here the
// configurations are shown to be reachable states (the abstraction is exact), the steps a grown
// configuration skips to change nothing, the verdicts at cutoff 1 and 2 are held against each
// other, and a property that reads four threads at once shows why the cutoff must reach as far as a
// property reads.

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
import { altstackOf, hasLargeBuffer, isAlive, isZombie, onThreadList, type SystemState, type TaskSlot } from '../../src/model/state.js';
import { DEFAULT_PLATFORM, permissionRequestAltstackMinimum } from '../../machines/platform.js';
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
      // default has no SET_DISPOSITION, so no refault loops: the property of infinite behaviour holds vacuously at every N.
      expect(any.cells['FaultingInstructionEventuallyCompletes']).toEqual({ verdict: 'holds', vacuous: true });
      // The view search on default's ops takes a minute or more on the development machine (docs/checking.md).
    }, 600_000);
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
  // Every view keeps the group leader, which every live process has on its thread list (running, or a
  // zombie), so a configuration of cutoff 1 is the leader and two other threads, a state of some run
  // if the abstraction is exact. Some runs need a fourth thread on the way: on lazy's ops a thread
  // whose small altstack made the others' requests fail, leaving them stuck in a refault, and that
  // then exits (they stay stuck), so the bounded run has `threads` threads.
  function unreached(variant: VariantName, config: ExploreConfig, threads: number): { readonly runs: number; readonly unreached: readonly SystemState[] } {
    const model = modelFor(variant);
    const reached = new Set<string>();
    explore(model, boundedConfig(config, { threads }), { onState: (key) => reached.add(key) });
    let runs = 0;
    const missed: SystemState[] = [];
    exploreCounter(model, config, {
      onConfiguration: (s, execs) => {
        runs++;
        if (!reached.has(canonicalKey(model, s, execs))) missed.push(s);
      },
    });
    return { runs, unreached: missed };
  }
  it("linux, the default preset's ops: every configuration is a reachable state with three threads", () => {
    // The bounded run has more than 700000 states (the runs the view search makes, each a state of it).
    const r = unreached('linux', CONFIGS.default!, 3);
    expect(r.runs).toBeGreaterThan(700_000);
    expect(r.unreached).toEqual([]);
  }, 600_000);
  for (const variant of ['linux', 'linux-fixed'] as const) {
    it(`${variant}, ${FEW_OPS}: every configuration is a reachable state with three threads`, () => {
      const r = unreached(variant, withOps(CONFIGS.default!, FEW_OPS), 3);
      expect(r.runs).toBeGreaterThan(0);
      expect(r.unreached).toEqual([]);
    });
    it(`${variant}, lazy: every configuration is a reachable state with four threads; with three, all but some that a gone witness left stuck`, () => {
      const r = unreached(variant, CONFIGS.lazy!, 4);
      expect(r.runs).toBeGreaterThan(0);
      expect(r.unreached).toEqual([]);
      const atThree = unreached(variant, CONFIGS.lazy!, 3).unreached;
      expect(atThree.length).toBeGreaterThan(0);
      const small = (t: TaskSlot) => altstackOf(t).bytes > 0 && altstackOf(t).bytes < permissionRequestAltstackMinimum(DEFAULT_PLATFORM);
      for (const s of atThree) {
        // Every thread stuck in a refault, a zombie leader, or one whose altstack flags say it never
        // set one (so it cannot have held the small altstack and then dropped it: SS_DISABLE would
        // stay), and no small altstack left among them to have refused the requests.
        const listed = s.processes[0]!.tasks.filter(onThreadList);
        const neverSetOne = (t: TaskSlot) => {
          const a = altstackOf(t);
          return a.bytes === 0 && !a.ssDisable && !a.autodisarm;
        };
        expect(listed.filter((t) => t.stuckOn === null && !isZombie(t) && !neverSetOne(t))).toEqual([]);
        expect(listed.filter(small)).toEqual([]);
      }
    });
  }
});

describe('the steps a grown configuration skips', () => {
  // Steps its views account for (src/explore/counter.ts), and steps the step table answers
  // (src/explore/table-answers.ts): taking them too changes no configuration and no violation.
  function search(variant: VariantName, config: ExploreConfig, everyStep: boolean) {
    const model = modelFor(variant);
    const runs = new Set<string>();
    const r = exploreCounter(model, config, { properties: PROPERTIES, everyStep, onConfiguration: (s, execs) => runs.add(canonicalKey(model, s, execs)) });
    return { views: r.stats.states, transitions: r.stats.transitions, fromTable: r.fromTable, runs, violated: [...r.violations.keys()].sort() };
  }
  for (const variant of ['linux', 'linux-fixed'] as const) {
    for (const [name, config] of [
      ['lazy', CONFIGS.lazy!],
      [FEW_OPS, withOps(CONFIGS.default!, FEW_OPS)],
    ] as const) {
      it(`${variant}, ${name}: change no view, configuration or violation`, () => {
        const every = search(variant, config, true);
        const skipping = search(variant, config, false);
        expect(skipping.transitions).toBeLessThan(every.transitions);
        expect(every.fromTable).toBe(0);
        expect(skipping.fromTable).toBeGreaterThan(0);
        expect({ views: skipping.views, violated: skipping.violated }).toEqual({ views: every.views, violated: every.violated });
        expect(skipping.runs).toEqual(every.runs);
      });
    }
  }
});

describe('the cutoff', () => {
  const config = withOps(CONFIGS.default!, 'REQ_PERM,LDTILECFG,TOUCH,CLONE_THREAD,EXIT,EXEC,OOM_BEGIN,OOM_END');

  it('runs each configuration once, at cutoff 1 and 2', () => {
    // The search keeps no set of the configurations it ran: each runs when the last of its views
    // leaves the queue. A configuration as a multiset of its processes, each with its chart, vfork mark
    // and the multiset of its tasks (canonicalKey would forget a process with no live task; the views keep it).
    const model = modelFor('linux');
    const configurationKey = (s: SystemState, execs: number): string => {
      const processes = s.processes.map((p) => {
        const tasks = p.tasks.map((t) => `${model.task.id(t.snapshot)}${t.suspended ? 'S' : ''}${t.stuckOn?.key ?? ''}`).sort();
        return `${model.process.id(p.snapshot)}${p.vforkParent !== null ? 'V' : ''}[${tasks.join(',')}]`;
      });
      return `${s.memory}|${execs}|${processes.sort().join('|')}`;
    };
    for (const cutoff of [1, 2]) {
      const runs = new Set<string>();
      let calls = 0;
      const r = exploreCounter(model, config, {
        cutoff,
        onConfiguration: (s, execs) => {
          calls++;
          runs.add(configurationKey(s, execs));
        },
      });
      expect({ cutoff, calls, configurations: r.configurations }).toEqual({ cutoff, calls: runs.size, configurations: runs.size });
    }
  });

  it('gives the same verdicts at cutoff 1 and 2 on the catalogue', () => {
    const one = checkVariantAnyThreads('linux', config, { cutoff: 1 });
    const two = checkVariantAnyThreads('linux', config, { cutoff: 2 });
    expect(two.search.stats.states).toBeGreaterThan(one.search.stats.states);
    expect(verdicts(two)).toEqual(verdicts(one));
  });

  // Not a claim about the kernel: a property that reads four threads at once, which no catalogue property does.
  const FourLargeBuffers: Property = {
    name: 'NeverFourLargeBuffers',
    claim: 'No process has four live threads with a large buffer at once.',
    source: 'test',
    kind: 'state',
    readsThreadsTogether: true,
    holds: ({ after }) => after.processes.every((p) => p.tasks.filter((t) => isAlive(t) && hasLargeBuffer(t)).length < 4),
  };

  it('must reach as far as a property reads: four threads need cutoff 2', () => {
    const atThree = checkVariant('linux', boundedConfig(config, { threads: 3 }), { properties: [FourLargeBuffers] });
    expect(atThree.cells['NeverFourLargeBuffers']!.verdict).toBe('holds');
    const cutoffTwo = checkVariantAnyThreads('linux', config, { cutoff: 2, properties: [FourLargeBuffers] });
    expect(cutoffTwo.cells['NeverFourLargeBuffers']).toMatchObject({ verdict: 'violated', threads: 4 });
    // Cutoff 1 judges configurations of the leader and two others: it cannot see four at once, which docs/checking.md says.
    const cutoffOne = checkVariantAnyThreads('linux', config, { cutoff: 1, properties: [FourLargeBuffers] });
    expect(cutoffOne.cells['NeverFourLargeBuffers']!.verdict).toBe('holds');
  });
});

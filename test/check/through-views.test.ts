// `check --reduction views` against the full bounded search: the same verdict for every property and,
// for each violation, the very counterexample the full search finds (the bounded search of a run
// through views judges only what the views leave open, and stops once each is violated). Also a
// property the views break that the bound cannot (it needs another thread), a property of infinite
// behaviour, which views do not judge, several processes, and a view search cut short.

import { describe, expect, it } from 'vitest';
import { checkVariant, shownCell, type VariantCheck } from '../../src/check/check.js';
import { checkVariantThroughViews } from '../../src/check/through-views.js';
import { exploreCounter } from '../../src/explore/counter.js';
import { boundedConfig, CONFIGS, opsNamed, type ExploreConfig } from '../../src/explore/config.js';
import { modelFor } from '../../src/simulate/simulate.js';
import type { VariantName } from '../../machines/variants.js';

function withOps(preset: ExploreConfig, ops: string): ExploreConfig {
  const named = opsNamed(ops);
  if ('unknown' in named) throw new Error(`no op ${named.unknown}`);
  return boundedConfig(preset, { ops: { choices: named.choices, named: ops } });
}

/** The op set of test/check/counter-check.test.ts whose four-thread state space a test can afford. */
const FEW_OPS = 'REQ_PERM,LDTILECFG,TOUCH,CLONE_THREAD,EXIT,EXEC,OOM_BEGIN,OOM_END,SIGALTSTACK';

function expectSameAsFull(variant: VariantName, config: ExploreConfig): { readonly views: VariantCheck; readonly full: VariantCheck } {
  const full = checkVariant(variant, config);
  const views = checkVariantThroughViews(variant, config);
  expect(full.stats.complete).toBe(true);
  expect(views.stats.complete).toBe(true);
  expect(views.reduction).toBe('views');
  expect(views.views?.complete).toBe(true);
  // Verdicts, vacuous marks and counterexamples, step for step.
  expect(views.cells).toEqual(full.cells);
  expect(views.stats.states).toBeLessThanOrEqual(full.stats.states);
  return { views, full };
}

describe('check --reduction views gives the full search\'s verdicts and counterexamples', () => {
  for (const variant of ['linux', 'linux-fixed', 'prealloc-syscall'] as const) {
    it(`${variant}, ${FEW_OPS}, 3 and 4 threads`, () => {
      for (const threads of [3, 4]) {
        const { views, full } = expectSameAsFull(variant, boundedConfig(withOps(CONFIGS.default!, FEW_OPS), { threads }));
        // Where something is violated the bounded search stops early; where nothing is, it does not run.
        const violated = Object.values(full.cells).some((c) => c.verdict === 'violated');
        if (violated) expect(views.stats.states).toBeLessThan(full.stats.states);
        else expect(views.stats.states).toBe(0);
      }
    }, 120_000);
  }

  it('linux, one thread: a property the views break with two threads holds, proven by the bounded search run to its end', () => {
    const config = boundedConfig(withOps(CONFIGS.default!, FEW_OPS), { threads: 1 });
    const model = modelFor('linux');
    const views = exploreCounter(model, config, { properties: [] });
    expect(views.stats.complete).toBe(true);
    const { views: run, full } = expectSameAsFull('linux', config);
    const brokenOnlyByMore = Object.entries(full.cells).filter(([, c]) => c.verdict === 'holds' && !c.vacuous);
    expect(brokenOnlyByMore.length).toBeGreaterThan(0);
    // AmxWorkIsNeverLostToEnomem is about another thread: the views break it, one thread cannot.
    expect(full.cells['AmxWorkIsNeverLostToEnomem']?.verdict).toBe('holds');
    expect(run.stats.states).toBe(full.stats.states);
  }, 120_000);

  it('linux, lazy: the property of infinite behaviour, which views do not judge, gets the full search\'s lasso', () => {
    const { views } = expectSameAsFull('linux', CONFIGS.lazy!);
    expect(views.cells['FaultingInstructionEventuallyCompletes']?.verdict).toBe('violated');
  }, 120_000);

  it('linux, forks (2 processes): the views of every number of processes, the bounded search of two', () => {
    expectSameAsFull('linux', withOps(CONFIGS.forks!, 'REQ_PERM,TOUCH,FORK,EXIT,EXEC,OOM_BEGIN,OOM_END'));
  }, 120_000);

  it('a view search cut short proves nothing: the bounded search judges every property, and what it finds is the full search\'s', () => {
    const config = boundedConfig(withOps(CONFIGS.default!, FEW_OPS), { threads: 2 });
    const full = checkVariant('linux', config);
    const cut = checkVariantThroughViews('linux', config, { maxStates: 200 });
    expect(cut.views?.complete).toBe(false);
    // The bounded search, cut at 200 states too, leaves every unviolated property unproven: no "holds" is shown.
    expect(cut.stats.complete).toBe(false);
    for (const [name, c] of Object.entries(cut.cells)) {
      expect(shownCell(c, cut.stats.complete).verdict).not.toBe('holds');
      if (c.verdict === 'violated') expect(c).toEqual(full.cells[name]);
    }
  }, 120_000);
});

describe('the view search refuses a bound of several processes', () => {
  it('throws for 2 processes (its grown configurations meet their views by process order): units, or one process', () => {
    const config = boundedConfig(CONFIGS.forks!, { processes: 2 });
    expect(() => exploreCounter(modelFor('linux'), config)).toThrow(/views cover one process, or every number of processes by units/);
  });
});

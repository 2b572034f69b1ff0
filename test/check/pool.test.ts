// The variants searched on worker threads give what the same searches give one after the other here.

import { describe, expect, it } from 'vitest';
import { ALL_VARIANTS, checkVariant, type VariantCheck } from '../../src/check/check.js';
import { checkVariantAnyThreads, type AnyThreadsCheck } from '../../src/check/counter-check.js';
import { checkInWorkers, checkVariants, checkVariantsAnyThreads, jobPlatform } from '../../src/check/pool.js';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { boundedConfig, CONFIGS, opsNamed } from '../../src/explore/config.js';
import { NO_AMX_LINUX_6_18 } from '../../machines/platform.js';
import type { VariantName } from '../../machines/variants.js';

/** A view search's result without its timings. */
function timelessViews(r: AnyThreadsCheck): unknown {
  const { seconds: _s, statesPerSecond: _r, ...stats } = r.search.stats;
  return { ...r, search: { ...r.search, stats } };
}

/** A result without its timings, which differ from run to run. */
function timeless(r: VariantCheck): unknown {
  const { seconds: _s, statesPerSecond: _r, ...stats } = r.stats;
  return { ...r, stats };
}

describe('checkInWorkers', () => {
  const config = CONFIGS['tiny']!;

  it('gives every variant the result checkVariant gives, in the order asked, taking them largest first', async () => {
    const done: VariantName[] = [];
    const progress = new Set<VariantName>();
    const reversed = [...ALL_VARIANTS].reverse();
    const jobs = ALL_VARIANTS.map((variant) => ({ variant, config, platform: jobPlatform(NO_AMX_LINUX_6_18), kind: 'bounded' as const, reduction: 'none' as const }));
    const results = await checkInWorkers(jobs, reversed, { jobs: 1, onDone: (r) => done.push(r.variant), onProgress: (v) => progress.add(v) });
    expect(results.map((r) => r.variant)).toEqual(ALL_VARIANTS);
    expect(results.map(timeless)).toEqual(ALL_VARIANTS.map((v) => timeless(checkVariant(v, config, { platform: NO_AMX_LINUX_6_18 }))));
    // One lane takes them in the order of cost given; every search reports progress from its first state.
    expect(done).toEqual(reversed);
    expect([...progress].sort()).toEqual([...ALL_VARIANTS].sort());
  }, 120_000);

  it('runs several at once with the same results, and a cut search stays cut', async () => {
    const jobs = ALL_VARIANTS.slice(0, 3).map((variant) => ({ variant, config, platform: 'spr-linux-6.18', kind: 'bounded' as const, reduction: 'none' as const, maxStates: 20 }));
    const results = await checkInWorkers(jobs, [], { jobs: 3 });
    expect(results.map(timeless)).toEqual(jobs.map((j) => timeless(checkVariant(j.variant, config, { maxStates: 20 }))));
    for (const r of results) expect(r.stats.stoppedBy).toBe('max-states');
  }, 120_000);

  it("rejects with the worker's own message when a search fails", async () => {
    const job = { variant: 'linux' as const, config, platform: 'no-such-platform', kind: 'bounded' as const, reduction: 'none' as const };
    await expect(checkInWorkers([job], [])).rejects.toThrow(/unknown platform "no-such-platform"/);
  }, 60_000);

  it('checkVariants gives the same on workers as in this thread, and calls onDone once per variant', async () => {
    const done: VariantName[] = [];
    const here = await checkVariants(ALL_VARIANTS, config, { platform: DEFAULT_PLATFORM, onDone: (r) => done.push(r.variant) });
    expect(done).toEqual(ALL_VARIANTS);
    const onWorkers = await checkVariants(ALL_VARIANTS, config, { platform: DEFAULT_PLATFORM, jobs: 2, onDone: (r) => done.push(r.variant) });
    expect(onWorkers.map(timeless)).toEqual(here.map(timeless));
    expect(done.slice(ALL_VARIANTS.length).sort()).toEqual([...ALL_VARIANTS].sort());
  }, 120_000);

  it('checkVariantsAnyThreads gives on workers what checkVariantAnyThreads gives here, a cut search cut alike', async () => {
    const named = 'REQ_PERM,LDTILECFG,TOUCH,CLONE_THREAD,EXIT,OOM_BEGIN,OOM_END';
    const chosen = opsNamed(named);
    if (!('choices' in chosen)) throw new Error(`no op ${chosen.unknown}`);
    const ops = boundedConfig(CONFIGS['default']!, { ops: { choices: chosen.choices, named } });
    const done: VariantName[] = [];
    const progress = new Set<VariantName>();
    const onWorkers = await checkVariantsAnyThreads(ALL_VARIANTS, ops, {
      platform: DEFAULT_PLATFORM,
      jobs: 2,
      byCost: [...ALL_VARIANTS].reverse(),
      onDone: (r) => done.push(r.variant),
      onProgress: (v) => progress.add(v),
    });
    expect(onWorkers.map((r) => r.variant)).toEqual(ALL_VARIANTS);
    expect(onWorkers.map(timelessViews)).toEqual(ALL_VARIANTS.map((v) => timelessViews(checkVariantAnyThreads(v, ops))));
    // Something to compare: a violation replayed with its thread count.
    expect(onWorkers[0]!.cells['AmxWorkIsNeverLostToEnomem']).toMatchObject({ verdict: 'violated', threads: 2 });
    expect([...done].sort()).toEqual([...ALL_VARIANTS].sort());
    expect([...progress].sort()).toEqual([...ALL_VARIANTS].sort());
    const cut = await checkVariantsAnyThreads(['linux', 'no-xfd'], ops, { platform: NO_AMX_LINUX_6_18, jobs: 2, bounds: { maxStates: 3 } });
    expect(cut.map(timelessViews)).toEqual(['linux', 'no-xfd'].map((v) => timelessViews(checkVariantAnyThreads(v as VariantName, ops, { platform: NO_AMX_LINUX_6_18, maxStates: 3 }))));
    for (const r of cut) expect(r.search.stats.stoppedBy).toBe('max-states');
  }, 120_000);
});

// The saved SS_DISABLE flag is read by one kind of step only: a sigreturn that puts back the altstack
// of delivery (an op the op table marks returnsFromHandler). A search whose ops cannot end a handler
// may leave the flag out (modelOptionsFor): a new thread then starts as the first thread does, and
// nothing any step or property reads differs. These tests hold that to the full model.

import { describe, expect, it } from 'vitest';
import { boundedConfig, CONFIGS, modelOptionsFor, opsEndHandlers, type ExploreConfig } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import { exploreCounter } from '../../src/explore/counter.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';
import { modelFor } from '../../src/simulate/simulate.js';
import { ALL_VARIANTS } from '../../src/check/check.js';

/** `large` cut to 2 processes of 2 threads: clone, fork, exec and the allocation ops, no handler. */
const SMALL_LARGE: ExploreConfig = boundedConfig(CONFIGS['large']!, { processes: 2, threads: 2 });

function verdicts(r: ReturnType<typeof explore>): Record<string, string> {
  return Object.fromEntries(PROPERTIES.map((p) => [p.name, r.violations.has(p.name) ? `violated in ${r.violations.get(p.name)!.steps.length} steps` : 'holds']));
}

describe('leaving out the saved SS_DISABLE flag where nothing reads it', () => {
  it('is what modelOptionsFor gives exactly the configurations whose ops cannot end a handler', () => {
    const leaveOut = Object.values(CONFIGS).filter((c) => modelOptionsFor(c).handlersReturn === false).map((c) => c.name);
    expect(leaveOut).toEqual(['large']);
    expect(opsEndHandlers([{ op: 'SIGRETURN' }])).toBe(true);
    expect(opsEndHandlers([{ op: 'SET_DISPOSITION', fields: { signal: 'SIGILL', handler: 'request-permission' } }])).toBe(true);
    expect(opsEndHandlers([{ op: 'SIGNAL' }, { op: 'SIGALTSTACK', fields: { size: 'disable' } }])).toBe(false);
  });

  it.each(ALL_VARIANTS)('keeps every verdict and its shortest counterexample, with fewer states (%s)', (variant) => {
    const full = explore(modelFor(variant, undefined, { memoise: true, handlersReturn: true }), SMALL_LARGE, { properties: PROPERTIES });
    const without = explore(modelFor(variant, undefined, modelOptionsFor(SMALL_LARGE)), SMALL_LARGE, { properties: PROPERTIES });
    const expected = verdicts(full);
    expect(Object.values(expected)).toContain('holds');
    expect(Object.values(expected).some((v) => v !== 'holds')).toBe(true);
    expect(verdicts(without)).toEqual(expected);
    expect(without.stats.complete && full.stats.complete).toBe(true);
    expect(without.stats.states).toBeLessThan(full.stats.states);
  });

  it('is refused for ops that end a handler, by the explorer and the view abstraction', () => {
    const model = modelFor('linux', undefined, { memoise: true, handlersReturn: false });
    expect(() => explore(model, CONFIGS['default']!)).toThrow(/SS_DISABLE/);
    expect(() => exploreCounter(model, CONFIGS['lazy']!)).toThrow(/SS_DISABLE/);
  });
});

import { describe, expect, it } from 'vitest';
import { CONFIGS, type ExploreConfig } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';
import { modelFor } from '../../src/simulate/simulate.js';

/** Two processes of two threads with fork: the process-local memo replays steps onto renamed threads. */
const twoByTwo: ExploreConfig = { ...CONFIGS['large']!, name: 'large-2x2', maxThreadsPerProcess: 2 };

describe('the memo tables change nothing but the speed', () => {
  it.each(['linux', 'prealloc-syscall'] as const)('%s: the same states, transitions and counterexamples with and without them', (variant) => {
    const run = (memoise: boolean) => {
      const keys: string[] = [];
      const r = explore(modelFor(variant, undefined, { memoise }), twoByTwo, { properties: PROPERTIES, onState: (k) => keys.push(k) });
      return { stats: { states: r.stats.states, transitions: r.stats.transitions, depth: r.stats.depth }, keys: keys.sort(), violations: [...r.violations.values()] };
    };
    const memoised = run(true);
    const plain = run(false);
    expect(memoised.stats).toEqual(plain.stats);
    expect(memoised.keys).toEqual(plain.keys);
    expect(memoised.violations).toEqual(plain.violations);
    expect(memoised.violations.length).toBeGreaterThan(0);
    // Without the tables, xstate runs every step: a minute alone, more beside other test files.
  }, 300_000);
});

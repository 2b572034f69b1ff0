// What npm run bench prints: a ratio below one reads as "slower", and simulate's figure runs the
// scenario it says it runs.

import { describe, expect, it } from 'vitest';
import { relativeCpu, simpleScenario, speedup } from '../../bench/figures.js';
import { modelFor, simulate } from '../../src/simulate/simulate.js';

describe('bench figures', () => {
  it('says "2.0x slower" where the explorer takes twice as long, never "0.5x faster"', () => {
    expect(speedup(1, 2)).toBe('2.0x slower');
    expect(speedup(3, 1)).toBe('3.0x faster');
    expect(speedup(1, 1)).toBe('1.0x faster');
    expect(speedup(0, 1)).toMatch(/^not comparable/);
  });

  it('compares two versions by the fastest round of each, and says when there is nothing to compare', () => {
    expect(relativeCpu([5, 4, 6], [8, 10, 9])).toBe('0.50 (4.00 s against 8.00 s, the fastest round of each)');
    expect(relativeCpu([3], [2])).toBe('1.50 (3.00 s against 2.00 s, the fastest round of each)');
    expect(relativeCpu([], [2])).toMatch(/^not comparable/);
    expect(relativeCpu([1], [0])).toMatch(/^not comparable/);
  });

  it("simulate's benchmark scenario: GET_PERM and GET_SUPP alternating on one task, every step ok", () => {
    const scenario = simpleScenario(1000);
    expect(scenario.steps.slice(0, 3).map((s) => [s.task, s.op])).toEqual([
      ['main', 'GET_PERM'],
      ['main', 'GET_SUPP'],
      ['main', 'GET_PERM'],
    ]);
    const run = simulate(scenario, modelFor('linux'));
    expect(run.observations).toHaveLength(1000);
    expect(new Set(run.observations.map((o) => o.outcome))).toEqual(new Set(['ok']));
  });
});

import { describe, expect, it } from 'vitest';
import { CONFIGS } from '../../src/explore/config.js';
import { explore, memoryInUse } from '../../src/explore/explore.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';
import { modelFor, simulate } from '../../src/simulate/simulate.js';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';

describe('how the explorer stores states', () => {
  it('keeps every state path: onTransition paths and counterexamples replay to the states they name, though expanded states are dropped', () => {
    const model = modelFor('linux');
    const paths = new Map<number, number>();
    const r = explore(model, CONFIGS['tiny']!, {
      properties: PROPERTIES,
      onTransition: (t) => {
        if (t.fresh && t.to !== undefined) paths.set(t.to, t.path().length);
      },
    });
    expect(paths.size).toBe(r.stats.states - 1);
    expect(Math.max(...paths.values())).toBe(r.stats.depth);
    expect(r.violations.size).toBeGreaterThan(0);
    for (const v of r.violations.values()) {
      const run = simulate({ variant: 'linux', platform: DEFAULT_PLATFORM.name, steps: v.steps }, modelFor('linux'));
      expect(run.observations.at(-1)).toEqual(v.observation);
    }
  });

  it('stops at maxMemoryBytes and maxCpuSeconds as at maxStates: incomplete, and saying which bound', () => {
    const byMemory = explore(modelFor('linux'), CONFIGS['default']!, { properties: PROPERTIES, maxMemoryBytes: 1 });
    expect(byMemory.stats).toMatchObject({ states: 1, transitions: 0, complete: false, stoppedBy: 'max-memory' });
    const byTime = explore(modelFor('linux'), CONFIGS['default']!, { maxCpuSeconds: 0 });
    expect(byTime.stats).toMatchObject({ states: 1, complete: false, stoppedBy: 'max-cpu-seconds' });
    const byStates = explore(modelFor('linux'), CONFIGS['default']!, { maxStates: 100 });
    expect(byStates.stats).toMatchObject({ states: 100, complete: false, stoppedBy: 'max-states' });
    const whole = explore(modelFor('linux'), CONFIGS['tiny']!, {});
    expect(whole.stats.complete).toBe(true);
    expect(whole.stats).not.toHaveProperty('stoppedBy');
  });

  it('counts the typed arrays outside the heap against maxMemoryBytes, where the seen table and the columns live', () => {
    const outside = 256 * 2 ** 20;
    const heap = process.memoryUsage().heapUsed;
    const before = memoryInUse();
    const held = new Uint8Array(outside);
    expect(memoryInUse() - before).toBeGreaterThanOrEqual(outside);
    // A bound the heap alone stays far below, but the heap and the array together pass.
    const r = explore(modelFor('linux'), CONFIGS['default']!, { maxMemoryBytes: heap + outside / 2 });
    expect(r.stats).toMatchObject({ states: 1, complete: false, stoppedBy: 'max-memory' });
    // Held until here, so that no collection frees it before the search looks.
    expect(held.byteLength).toBe(outside);
  });
});

import { describe, expect, it } from 'vitest';
import { candidateSteps } from '../../src/explore/candidates.js';
import { CONFIGS } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import type { SystemState } from '../../src/model/state.js';
import { modelFor } from '../../src/simulate/simulate.js';
import type { VariantName } from '../../machines/variants.js';

// A candidate the model refuses as a scenario error is no transition, yet the search paid for a
// whole step to learn it (a SIGRETURN offered to a task that runs no handler was about one in ten of
// the steps the step table could not answer): the explorer offers only steps the model takes.
describe('the steps the explorer offers', () => {
  it.each([
    ['linux', 'default'],
    ['linux', 'altstacks'],
    ['linux', 'forks'],
    ['no-xfd', 'lazy'],
  ] as const)('%s/%s: from every state, every candidate step is one the model takes', (variant: VariantName, configName) => {
    const config = CONFIGS[configName]!;
    const model = modelFor(variant);
    const states: SystemState[] = [];
    explore(model, config, { maxStates: 4000, onState: (_key, s) => void states.push(s) });
    let offered = 0;
    const refused = new Map<string, string>();
    for (const state of states)
      for (const step of candidateSteps(model, config, { state, execs: 0, nextId: 1000 })) {
        offered++;
        const r = model.next(state, step);
        if (!r.ok) refused.set(step.op, r.error);
      }
    expect(offered).toBeGreaterThan(states.length);
    expect(Object.fromEntries(refused)).toEqual({});
  });
});

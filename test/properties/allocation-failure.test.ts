// What the properties about memory count as an allocation failure (E10): not every SIGSEGV at a tile
// instruction. The kernel forces one too when a fault's frame overflows the altstack (row 6h, the
// altstack probe), and the program sees the same signal and si_code.

import { describe, expect, it } from 'vitest';
import type { Transition } from '../../src/explore/property.js';
import { isAllocationFailure } from '../../src/properties/catalogue.js';
import { parseStep } from '../../src/scenario/format.js';
import { modelFor } from '../../src/simulate/simulate.js';

/** The transition of the last step of `steps`, run on linux from one task named main. */
function lastTransition(steps: readonly Record<string, unknown>[]): Transition {
  const model = modelFor('linux');
  let state = model.initial('main');
  let last: Transition | undefined;
  for (const [i, json] of steps.entries()) {
    const step = parseStep(json, i + 1);
    const r = model.next(state, step);
    if (!r.ok) throw new Error(r.error);
    last = { before: state, step, observation: r.outcome, after: r.state, model };
    state = r.state;
  }
  return last!;
}

describe('an allocation failure', () => {
  it('is the SIGSEGV of a touch whose buffer cannot be allocated', () => {
    const t = lastTransition([
      { task: 'main', op: 'REQ_PERM', feature: 18 },
      { task: 'main', op: 'LDTILECFG' },
      { op: 'OOM_BEGIN' },
      { task: 'main', op: 'TOUCH' },
    ]);
    expect(t.observation).toMatchObject({ outcome: 'SIGSEGV', si_code: 'SI_KERNEL' });
    expect(isAllocationFailure(t)).toBe(true);
  });

  it("is not the SIGSEGV forced when a touch's SIGILL frame overflows the altstack its handler runs on, whatever the memory", () => {
    // One default frame (2952 bytes) and a handler's stack fit in 4096 bytes; a second frame does not.
    const t = lastTransition([
      { task: 'main', op: 'SET_DISPOSITION', signal: 'SIGILL', handler: 'skip' },
      { task: 'main', op: 'SIGALTSTACK', size: 4096 },
      { task: 'main', op: 'SIGNAL', onstack: true },
      { op: 'OOM_BEGIN' },
      { task: 'main', op: 'TOUCH' },
    ]);
    expect(t.observation).toMatchObject({ outcome: 'SIGSEGV', si_code: 'SI_KERNEL' });
    expect(isAllocationFailure(t)).toBe(false);
  });
});

// The `altstacks` preset reaches the corners of the altstack rules that the other presets leave out:
// SS_AUTODISARM and the permission request (linux-amx-semantics.md E28, the edge: a thread inside
// its handler has no altstack, so the every-thread check passes it, and sigreturn then cannot put
// the small altstack back), which the litmus file altstack-autodisarm-permission states as a scenario.

import { describe, expect, it } from 'vitest';
import { CONFIGS } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import { altstackOf, framesOf, hostPermitted, type SystemState, type TaskSlot } from '../../src/model/state.js';
import type { SystemModel } from '../../src/model/system.js';
import type { Step } from '../../src/scenario/format.js';
import { modelFor } from '../../src/simulate/simulate.js';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';

function taskNamed(s: SystemState, name: string | undefined): TaskSlot | undefined {
  for (const p of s.processes) for (const t of p.tasks) if (t.name === name) return t;
  return undefined;
}

/** The state the steps lead to from one task named main. */
function reached(model: SystemModel, steps: readonly Step[]): SystemState {
  let s = model.initial('main');
  for (const step of steps) {
    const r = model.next(s, step);
    if (!r.ok) throw new Error(r.error);
    s = r.state;
  }
  return s;
}

describe('the altstacks preset', () => {
  it('grants permission while a thread runs its handler with its small SS_AUTODISARM altstack disarmed, and sigreturn then leaves that thread without an altstack', () => {
    const model = modelFor('linux');
    const small = DEFAULT_PLATFORM.altstackBytes.small;
    const disarmedSmall = (k: TaskSlot) => altstackOf(k).bytes === 0 && framesOf(k).at(-1)?.savedAltstack.autodisarm === true && framesOf(k).at(-1)?.savedAltstack.bytes === small;
    let grantedPastDisarmed: readonly Step[] | undefined;
    let notPutBack: readonly Step[] | undefined;
    explore(model, CONFIGS['altstacks']!, {
      onTransition: (t) => {
        const permitted = hostPermitted(t.after.processes[0]!.snapshot);
        if (!permitted || (t.step.op !== 'REQ_PERM' && t.step.op !== 'SIGRETURN')) return;
        if (t.step.op === 'REQ_PERM' && grantedPastDisarmed === undefined) {
          const before = reached(model, t.path().slice(0, -1));
          if (!hostPermitted(before.processes[0]!.snapshot) && t.after.processes[0]!.tasks.some(disarmedSmall)) grantedPastDisarmed = t.path();
        }
        if (t.step.op === 'SIGRETURN' && notPutBack === undefined) {
          const after = taskNamed(t.after, t.step.task);
          if (after === undefined || altstackOf(after).bytes !== 0) return;
          const before = taskNamed(reached(model, t.path().slice(0, -1)), t.step.task);
          if (before && disarmedSmall(before)) notPutBack = t.path();
        }
      },
    });
    expect(grantedPastDisarmed, 'a grant while a small SS_AUTODISARM altstack is disarmed').toBeDefined();
    expect(notPutBack, 'a sigreturn that does not put the small altstack back').toBeDefined();
  }, 120_000);
});

// The step-by-step comparison, without a kernel: what counts as a divergence and what is hidden.

import { describe, expect, it } from 'vitest';
import { firstDivergence, parseKernelObservations, type KernelObservation, type Prediction } from '../../src/conform/compare.js';
import { encodeForExecutor, modelOnlyReason } from '../../src/kernel/encode.js';
import { SPR_LINUX_6_18 } from '../../machines/platform.js';
import { toScenario } from '../../src/scenario/format.js';
import { predict } from '../../src/conform/conform.js';

const touch: Prediction = { step: 2, op: 'TOUCH', task: 'main', outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: true };

describe('firstDivergence', () => {
  it('is null when every field the kernel could see agrees, the unobserved ones aside', () => {
    const kernel: KernelObservation = { step: 2, op: 'TOUCH', task: 'main', outcome: 'SIGILL', fatal: true, unobserved: ['si_code'] };
    expect(firstDivergence([touch], [kernel])).toBeNull();
  });

  it('names the step and every field that differs or that only one side shows', () => {
    const kernel: KernelObservation = { step: 2, op: 'TOUCH', task: 'main', outcome: 'SIGILL', si_code: 'ILL_ILLOPN', fatal: false, handler: 'skip' };
    expect(firstDivergence([touch], [kernel])).toMatchObject({ step: 2, fields: ['si_code', 'fatal', 'handler'] });
  });

  it('is the first missing step when the executor stopped early', () => {
    expect(firstDivergence([touch], [])).toMatchObject({ step: 2, kernel: null });
  });

  it('refuses output that is not an observation', () => {
    expect(() => parseKernelObservations('{"step":1}\n')).toThrow(/not an observation/);
  });
});

describe('the executor input', () => {
  it('numbers tasks by first appearance, gives altstack sizes in bytes of the platform, and stops at a model-only step', () => {
    const scenario = toScenario({
      steps: [
        { task: 'boss', op: 'CLONE_THREAD', child: 'w' },
        { task: 'w', op: 'SIGALTSTACK', size: 'window' },
        { task: 'w', op: 'SIGALTSTACK', size: 3000, flags: 'autodisarm' },
        { task: 'w', op: 'TOUCH' },
        { op: 'OOM_BEGIN' },
        { task: 'boss', op: 'TOUCH' },
      ],
    });
    const e = encodeForExecutor(scenario.steps, predict(scenario, SPR_LINUX_6_18), SPR_LINUX_6_18, { kvm: false }, 500);
    expect(e.text.split('\n')).toEqual([
      'TASK 0 "boss"',
      'TASK 1 "w"',
      'TIMEOUT 500',
      'STEP 1 CLONE_THREAD 0 b child=1',
      `STEP 2 SIGALTSTACK 1 b size=${SPR_LINUX_6_18.altstackBytes.window}`,
      'STEP 3 SIGALTSTACK 1 b size=3000 flags=autodisarm',
      // No tile config, no handler: a fatal #UD, after which the task has no state to read back.
      'STEP 4 TOUCH 1 -',
      '',
    ]);
    expect(e.executed).toBe(4);
    expect(e.modelOnly).toMatchObject({ step: 5, op: 'OOM_BEGIN' });
  });

  it('names why each model-only op cannot run here', () => {
    for (const op of ['OOM_BEGIN', 'OOM_END', 'PREALLOC'])
      expect(modelOnlyReason({ op, task: 'main', fields: {} }, { kvm: true })).toMatch(/\w/);
    expect(modelOnlyReason({ op: 'VCPU_CREATE', task: 'main', fields: {} }, { kvm: false })).toMatch(/kvm/);
    expect(modelOnlyReason({ op: 'VCPU_CREATE', task: 'main', fields: {} }, { kvm: true })).toBeUndefined();
    expect(modelOnlyReason({ op: 'PTRACE_SETREGSET', task: 'main', fields: {} }, { kvm: false })).toBeUndefined();
  });
});

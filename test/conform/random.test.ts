// Random conformance: fast-check writes scenarios over the ops the executor can make, the model of
// this machine predicts them, the kernel runs them, and every step must agree. A divergence is shrunk
// to a minimal scenario, printed with its seed, and written to test-results/ as a file that
// `amxstate conform FILE` replays.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileFromMeasurement } from '../../machines/platform.js';
import { runCase } from '../../src/conform/conform.js';
import { executorUnavailable } from '../support/kernel.js';
import { measureHost } from '../../src/kernel/measure.js';
import { makeParents } from '../../src/files.js';
import { toScenario, type StepValue } from '../../src/scenario/format.js';
import { modelFor } from '../../src/simulate/simulate.js';

type RawStep = Record<string, StepValue>;

/** An op choice: the fields of a step, without its task. */
const OPS: readonly Record<string, StepValue>[] = [
  { op: 'REQ_PERM', feature: 18 },
  { op: 'GET_PERM' },
  { op: 'LDTILECFG', palette: 1 },
  { op: 'TOUCH' },
  { op: 'TILERELEASE' },
  { op: 'CHECK_TILES' },
  { op: 'CONTEXT_SWITCH' },
  { op: 'SIGALTSTACK', size: 'small' },
  { op: 'SIGALTSTACK', size: 'large' },
  { op: 'SIGALTSTACK', size: 'disable' },
  { op: 'SET_DISPOSITION', signal: 'SIGILL', handler: 'skip' },
  { op: 'SET_DISPOSITION', signal: 'SIGILL', handler: 'request-permission' },
  { op: 'SIGNAL', onstack: true },
  { op: 'SIGNAL', onstack: false },
  { op: 'SIGRETURN', tileBits: 'keep' },
  { op: 'CLONE_THREAD' },
  { op: 'FORK' },
  { op: 'EXIT' },
  { op: 'EXEC' },
  { op: 'EXEC', fails: true },
  { op: 'GET_SUPP' },
  { op: 'REQ_GUEST_PERM', feature: 18 },
  { op: 'GET_GUEST_PERM' },
  { op: 'LDTILECFG', palette: 0 },
  { op: 'LDTILECFG', palette: 7 },
  { op: 'SET_DISPOSITION', signal: 'SIGSEGV', handler: 'skip' },
  { op: 'SET_DISPOSITION', signal: 'SIGILL', handler: 'default' },
  { op: 'SIGRETURN', tileBits: 'clear' },
  { op: 'SIGRETURN', tileBits: 'forge' },
  { op: 'SIGRETURN', tileBits: 'keep', xsaveHeader: 'corrupt' },
  { op: 'PTRACE_GETREGSET' },
  { op: 'PTRACE_SETREGSET', tileBits: 'config' },
  { op: 'PTRACE_SETREGSET', tileBits: 'data' },
  { op: 'VFORK' },
  { op: 'XRSTOR', tileBits: 'data' },
  { op: 'XRSTOR', tileBits: 'config' },
  { op: 'XRSTOR', tileBits: 'none' },
];


const unavailable = executorUnavailable();

describe.skipIf(unavailable !== undefined)('random scenarios on this kernel', () => {
  const host = unavailable ? undefined : measureHost();
  const platform = host ? profileFromMeasurement(host) : undefined;

  /**
   * Steps the model can run, built from (op, task) picks: a pick whose task does not run (or whose op
   * the model refuses as input) is dropped, so every scenario is valid and shrinks to valid ones.
   */
  function scenarioFrom(picks: readonly (readonly [number, number])[]): RawStep[] {
    const model = modelFor('linux', platform);
    let state = model.initial('main');
    const names = ['main'];
    const steps: RawStep[] = [];
    for (const [opIndex, taskIndex] of picks) {
      const choice = OPS[opIndex % OPS.length]!;
      const task = names[taskIndex % names.length]!;
      const creates = choice['op'] === 'CLONE_THREAD' || choice['op'] === 'FORK' || choice['op'] === 'VFORK';
      const step: RawStep = { task, ...choice, ...(creates ? { child: `t${names.length}` } : {}) };
      const parsed = toScenario({ steps: [step] }).steps[0]!;
      const r = model.step(state, parsed, steps.length + 1);
      if (!r.ok) continue;
      state = r.state;
      if (creates) names.push(`t${names.length}`);
      steps.push(step);
    }
    return steps;
  }

  it('agree with the model step by step (shrunk to a replayable file when they do not)', () => {
    const out = join(fileURLToPath(new URL('../../', import.meta.url)), 'test-results', 'random-divergence.json');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(OPS.length - 1), fc.nat(3)), { minLength: 1, maxLength: 14 }), (picks) => {
        const steps = scenarioFrom(picks);
        fc.pre(steps.length > 0);
        const scenario = toScenario({ header: { id: 'random-divergence', source: 'test/conform/random.test.ts' }, steps });
        const r = runCase({ id: 'random', scenario }, platform!, host!, { stepTimeoutMs: 2000 });
        if (r.status !== 'agree') {
          makeParents(out);
          writeFileSync(out, `${JSON.stringify({ header: { id: 'random-divergence', source: 'test/conform/random.test.ts' }, steps }, null, 2)}\n`);
        }
        expect(r.divergence ?? null).toBeNull();
      }),
      { numRuns: Number(process.env["AMXSTATE_RANDOM_RUNS"] ?? 60) },
    );
  });
});

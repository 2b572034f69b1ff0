// What each design variant of machines/variants.ts changes against `linux`, shown as pairs: the same
// steps in `linux` and in the variant; then, over generated scenarios, that it changes nothing else.

import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { VARIANT_NAMES, buildVariants, type VariantName } from '../../machines/variants.js';
import { framesOf, isAlive, processValue, taskValue, type SystemState } from '../../src/model/state.js';
import type { Observation } from '../../src/model/observation.js';
import { ScenarioError } from '../../src/scenario/format.js';
import { expectRun, runLenient, runSteps, type LenientStep, type RawStep, type RunExpectation } from '../support/scenario.js';
import { scenarioArb } from '../support/steps.js';

interface VariantCase {
  readonly title: string;
  readonly steps: readonly RawStep[];
  /** The same steps, in `linux` and in the variant. */
  readonly expect: Partial<Record<VariantName, RunExpectation>>;
}

const main = (op: string, fields: Readonly<Record<string, string | number | boolean>> = {}): RawStep => ({ task: 'main', op, ...fields });
const on = (task: string, op: string, fields: Readonly<Record<string, string | number | boolean>> = {}): RawStep => ({ task, op, ...fields });
const OOM_BEGIN: RawStep = { op: 'OOM_BEGIN' };
const OOM_END: RawStep = { op: 'OOM_END' };
const REQ = main('REQ_PERM', { feature: 18 });

const CASES: Readonly<Record<Exclude<VariantName, 'linux'>, readonly VariantCase[]>> = {
  'linux-fixed': [
    {
      title: 'exec frees the expanded buffer instead of orphaning it',
      steps: [REQ, main('LDTILECFG'), main('TOUCH'), main('EXEC'), main('EXIT')],
      expect: {
        linux: { steps: [{ step: 4, leakedBuffers: 1, vmalloc: 1 }, { step: 5, leakedBuffers: 1, vmalloc: 1 }] },
        'linux-fixed': { steps: [{ step: 4, leakedBuffers: 0, vmalloc: 0 }, { step: 5, leakedBuffers: 0, vmalloc: 0 }] },
      },
    },
  ],
  'prealloc-at-permission': [
    {
      title: 'REQ_PERM allocates a buffer for every thread at once',
      steps: [main('CLONE_THREAD', { child: 'w' }), REQ, main('CHECK_TILES'), on('w', 'CHECK_TILES')],
      expect: {
        linux: { steps: [{ step: 2, outcome: 'ok', vmalloc: 0 }, { step: 3, buffer: 'default' }, { step: 4, buffer: 'default' }] },
        'prealloc-at-permission': { steps: [{ step: 2, outcome: 'ok', vmalloc: 2 }, { step: 3, buffer: 'large' }, { step: 4, buffer: 'large' }] },
      },
    },
    {
      title: 'REQ_PERM under OOM is ENOMEM and grants nothing; it succeeds once memory is back',
      steps: [main('GET_PERM'), OOM_BEGIN, REQ, main('GET_PERM'), OOM_END, REQ, main('GET_PERM')],
      expect: {
        linux: { steps: [{ step: 1, bitmap: '0x200e7' }, { step: 3, outcome: 'ok' }, { step: 4, bitmap: '0x600e7' }, { step: 6, outcome: 'ok' }, { step: 7, bitmap: '0x600e7' }] },
        'prealloc-at-permission': {
          steps: [{ step: 1, bitmap: '0x200e7' }, { step: 3, outcome: 'ENOMEM', vmalloc: 0 }, { step: 4, bitmap: '0x200e7' }, { step: 6, outcome: 'ok', vmalloc: 1 }, { step: 7, bitmap: '0x600e7' }],
        },
      },
    },
    {
      title: 'CLONE_THREAD of a permitted process under OOM is ENOMEM',
      steps: [REQ, OOM_BEGIN, main('CLONE_THREAD', { child: 'w' }), OOM_END, main('CLONE_THREAD', { child: 'x' })],
      expect: {
        linux: { steps: [{ step: 3, outcome: 'ok', vmalloc: 0 }, { step: 5, outcome: 'ok', vmalloc: 0 }], alive: { w: true, x: true } },
        'prealloc-at-permission': { steps: [{ step: 3, outcome: 'ENOMEM', vmalloc: 1 }, { step: 5, outcome: 'ok', vmalloc: 2 }], alive: { x: true } },
      },
    },
    {
      title: 'the first touch never SIGSEGVs: the buffer exists before memory runs out',
      steps: [REQ, main('CLONE_THREAD', { child: 'w' }), OOM_BEGIN, on('w', 'LDTILECFG'), on('w', 'TOUCH')],
      expect: {
        linux: { steps: [{ step: 5, outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: true }], alive: { main: false, w: false } },
        'prealloc-at-permission': { steps: [{ step: 5, outcome: 'ok', si_code: null, fatal: null, buffer: 'large', vmalloc: 2 }], alive: { main: true, w: true } },
      },
    },
  ],
  'prealloc-syscall': [
    {
      title: 'PREALLOC is EPERM without permission, ENOMEM under OOM, then allocates; the touch under OOM then works',
      steps: [main('PREALLOC'), REQ, OOM_BEGIN, main('PREALLOC'), OOM_END, main('PREALLOC'), OOM_BEGIN, main('LDTILECFG'), main('TOUCH'), main('PREALLOC')],
      expect: {
        'prealloc-syscall': {
          steps: [
            { step: 1, outcome: 'EPERM', buffer: 'default' },
            { step: 4, outcome: 'ENOMEM', buffer: 'default', vmalloc: 0 },
            { step: 6, outcome: 'ok', buffer: 'large', vmalloc: 1 },
            { step: 9, outcome: 'ok', fatal: null, buffer: 'large', vmalloc: 1 },
            // Already expanded: nothing to do, even under OOM.
            { step: 10, outcome: 'ok', vmalloc: 1 },
          ],
        },
      },
    },
    {
      title: 'without PREALLOC the lazy first touch stays, with its SIGSEGV under OOM',
      steps: [REQ, main('LDTILECFG'), OOM_BEGIN, main('TOUCH')],
      expect: {
        linux: { steps: [{ step: 4, outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: true }] },
        'prealloc-syscall': { steps: [{ step: 4, outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: true }] },
      },
    },
  ],
  'no-xfd': [
    {
      title: 'a touch without permission runs natively and grows no buffer',
      steps: [main('LDTILECFG'), main('TOUCH')],
      expect: {
        linux: { steps: [{ step: 2, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: true }], alive: { main: false } },
        'no-xfd': { steps: [{ step: 2, outcome: 'ok', fatal: null, tiles: 'intact', buffer: 'default', vmalloc: 0 }], alive: { main: true } },
      },
    },
    {
      title: 'the #UD of an unconfigured tile state stays (it is not XFD)',
      steps: [main('TOUCH')],
      expect: {
        linux: { steps: [{ step: 1, outcome: 'SIGILL', si_code: 'ILL_ILLOPN', fatal: true }] },
        'no-xfd': { steps: [{ step: 1, outcome: 'SIGILL', si_code: 'ILL_ILLOPN', fatal: true }] },
      },
    },
    {
      title: 'tiles are lost at a context switch: the default buffer has no room for them',
      steps: [main('LDTILECFG'), main('TOUCH'), main('CONTEXT_SWITCH'), main('CHECK_TILES')],
      expect: { 'no-xfd': { steps: [{ step: 3, tiles: 'lost', buffer: 'default' }, { step: 4, tiles: 'lost' }] } },
    },
    {
      title: 'tiles are lost across SIGNAL and SIGRETURN: the frame has no room for them',
      steps: [REQ, main('LDTILECFG'), main('TOUCH'), main('SIGNAL'), main('SIGRETURN')],
      expect: {
        linux: { steps: [{ step: 4, frameHasTiles: true }, { step: 5, tiles: 'intact' }] },
        'no-xfd': { steps: [{ step: 3, buffer: 'default', vmalloc: 0 }, { step: 4, frameHasTiles: false }, { step: 5, tiles: 'lost' }] },
      },
    },
  ],
};

for (const [variant, cases] of Object.entries(CASES) as [Exclude<VariantName, 'linux'>, readonly VariantCase[]][]) {
  describe(`variant ${variant} against linux`, () => {
    it.each(cases.flatMap((c) => Object.entries(c.expect).map(([v, e]) => [`${c.title} [${v}]`, c.steps, v as VariantName, e] as const)))(
      '%s',
      (_name, steps, v, want) => {
        expectRun(runSteps(steps, v), want);
      },
    );
  });
}

describe('variant metadata', () => {
  const variants = buildVariants(DEFAULT_PLATFORM);

  it('every variant name builds a variant of that name', () => {
    expect(Object.keys(variants).sort()).toEqual([...VARIANT_NAMES].sort());
    for (const name of VARIANT_NAMES) expect(variants[name].name).toBe(name);
  });

  it('prealloc-at-permission: a CLONE_THREAD that failed with ENOMEM made no task', () => {
    const steps = [REQ, OOM_BEGIN, main('CLONE_THREAD', { child: 'w' }), OOM_END, { task: 'w', op: 'GET_PERM' }];
    expect(runSteps(steps, 'linux').observations[4]?.bitmap).toBe('0x600e7');
    expect(() => runSteps(steps, 'prealloc-at-permission')).toThrow(expect.objectContaining({ name: 'ScenarioError', step: 5, field: 'task' }));
  });

  it('only prealloc-syscall has PREALLOC; elsewhere it is an error at its step, field op', () => {
    for (const name of VARIANT_NAMES) expect(variants[name].extraOps.includes('PREALLOC'), name).toBe(name === 'prealloc-syscall');
    for (const name of VARIANT_NAMES.filter((n) => n !== 'prealloc-syscall')) {
      let error: unknown;
      try {
        runSteps([REQ, main('PREALLOC')], name);
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(ScenarioError);
      expect((error as ScenarioError).step, name).toBe(2);
      expect((error as ScenarioError).field, name).toBe('op');
    }
  });

  it('only the task chart of a variant with the PREALLOC op takes it, in every buffer state', () => {
    const buffers = ['unpermitted', 'permitted', 'allocated'] as const;
    for (const name of VARIANT_NAMES) {
      const states = buffers.filter((b) => variants[name].task.getStateNodeById(`task.alive.buffer.${b}`).transitions.has('PREALLOC'));
      expect(states, name).toEqual(variants[name].extraOps.includes('PREALLOC') ? buffers : []);
    }
  });
});

// ---- Nothing else changes: generated scenarios, each variant against linux. ----

/** The observations of a lenient run, `null` where the model refused the step. */
function observations(run: readonly LenientStep[]): (Observation | null)[] {
  return run.map((s) => (s.ok ? s.observation : null));
}

function withoutLeaks(o: Observation | null): Omit<Observation, 'leakedBuffers'> | null {
  if (o === null) return null;
  const { leakedBuffers: _leaked, ...rest } = o;
  return rest;
}

const PROPERTY_RUNS = { numRuns: 300 };

describe('generated scenarios', () => {
  test.prop([scenarioArb()], PROPERTY_RUNS)('linux-fixed differs from linux only in leaked buffers, which it frees', (steps) => {
    const linux = runLenient(steps, 'linux');
    const fixed = runLenient(steps, 'linux-fixed');
    expect(observations(fixed).map(withoutLeaks)).toEqual(observations(linux).map(withoutLeaks));
    fixed.forEach((s, i) => {
      if (!s.ok) return;
      const l = linux[i]!;
      if (!l.ok) return;
      expect(s.observation.leakedBuffers ?? 0).toBe(0);
      expect(s.state.buffers.leaked).toBe(0);
      expect(s.state.buffers.freed).toBe(l.state.buffers.freed + l.state.buffers.leaked);
      expect(s.state.buffers.allocated).toBe(l.state.buffers.allocated);
    });
  });

  test.prop([scenarioArb()], PROPERTY_RUNS)('prealloc-syscall without PREALLOC behaves exactly like linux-fixed, its base', (steps) => {
    expect(observations(runLenient(steps, 'prealloc-syscall'))).toEqual(observations(runLenient(steps, 'linux-fixed')));
  });

  test.prop([scenarioArb()], PROPERTY_RUNS)('prealloc-at-permission: every thread of a permitted process has the large buffer, and no touch allocates', (steps) => {
    // A touch can still fault (#UD without a tile config, a handler frame that does not fit: row 6h),
    // but never for want of a buffer: it never allocates one itself, so it cannot fail to. Only a
    // SIGILL handler that asks for permission allocates, through that request.
    let allocatedBefore = 0;
    for (const s of runLenient(steps, 'prealloc-at-permission')) {
      if (!s.ok) continue;
      if (s.observation.op === 'TOUCH' && s.observation.handler !== 'request-permission') expect(s.state.buffers.allocated).toBe(allocatedBefore);
      allocatedBefore = s.state.buffers.allocated;
      for (const p of s.state.processes) {
        if (processValue(p.snapshot).hostPermission !== 'permitted') continue;
        // A zombie leader (it exited while its threads run) takes no step again: the grant gives it no buffer.
        for (const t of p.tasks) if (isAlive(t)) expect(taskValue(t.snapshot)?.buffer, `step ${s.observation.step}: task ${t.name}`).toBe('allocated');
      }
    }
  });

  test.prop([scenarioArb({ prealloc: true })], PROPERTY_RUNS)('prealloc-syscall: a touch after a successful PREALLOC never SIGSEGVs', (steps) => {
    const preallocated = new Set<string>();
    let before: SystemState | undefined;
    for (const s of runLenient(steps, 'prealloc-syscall')) {
      if (!s.ok) continue;
      const { op, task, outcome } = s.observation;
      const previous = before;
      before = s.state;
      if (task === undefined) continue;
      if (op === 'PREALLOC' && outcome === 'ok') preallocated.add(task);
      if (op === 'EXEC' && outcome === 'ok') preallocated.delete(task);
      // A task in a handler on its altstack may die of a fault's frame overflowing it (row 6h), a
      // SIGSEGV that has nothing to do with memory.
      const onAltstack = previous?.processes.some((p) => p.tasks.some((t) => t.name === task && framesOf(t).some((f) => f.onAltstack)));
      if (op === 'TOUCH' && preallocated.has(task) && !onAltstack) expect(outcome).not.toBe('SIGSEGV');
    }
  });

  test.prop([scenarioArb()], PROPERTY_RUNS)('no-xfd: no XFD SIGILL and no buffer is ever allocated', (steps) => {
    for (const s of runLenient(steps, 'no-xfd')) {
      if (!s.ok) continue;
      expect(s.observation.si_code).not.toBe('ILL_ILLOPC');
      expect(s.state.buffers.allocated).toBe(0);
    }
  });

  it('the generator reaches the interesting outcomes (so the properties above are not vacuous)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenarioArb(), (steps) => {
        for (const s of runLenient(steps, 'linux')) if (s.ok) seen.add(`${s.observation.op} ${s.observation.outcome}`);
      }),
      { numRuns: 300, seed: 42 },
    );
    for (const want of ['TOUCH ok', 'TOUCH SIGSEGV', 'TOUCH SIGILL', 'EXEC ok', 'SIGALTSTACK ENOMEM', 'PTRACE_SETREGSET EINVAL', 'SIGRETURN ok', 'CLONE_THREAD ok']) expect(seen, want).toContain(want);
  });
});

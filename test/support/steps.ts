// Test support: fast-check arbitraries of scenario steps over a few task names, in the shared format.

import { fc } from '@fast-check/vitest';
import type { RawStep } from './scenario.js';

export const TASK_NAMES = ['main', 'a', 'b'] as const;

const task = fc.constantFrom(...TASK_NAMES);
const on = (op: string, fields: fc.Arbitrary<Readonly<Record<string, string | number | boolean>>> = fc.constant({})) =>
  fc.tuple(task, fields).map(([t, f]): RawStep => ({ task: t, op, ...f }));

/** One step of any op the merged ABI has; with `prealloc`, the PREALLOC op of the prealloc-syscall variant too. */
export function stepArb(options: { prealloc?: boolean } = {}): fc.Arbitrary<RawStep> {
  const child = task.map((c) => ({ child: c }));
  const arbs: { arbitrary: fc.Arbitrary<RawStep>; weight: number }[] = [
    { arbitrary: on('REQ_PERM', fc.constantFrom(18, 18, 18, 17, 20).map((feature) => ({ feature }))), weight: 4 },
    { arbitrary: on('GET_PERM'), weight: 1 },
    { arbitrary: on('LDTILECFG', fc.constantFrom(1, 1, 1, 0, 7).map((palette) => ({ palette }))), weight: 4 },
    { arbitrary: on('TOUCH'), weight: 6 },
    { arbitrary: on('TILERELEASE'), weight: 1 },
    { arbitrary: on('CHECK_TILES'), weight: 1 },
    { arbitrary: on('CLONE_THREAD', child), weight: 3 },
    { arbitrary: on('FORK', child), weight: 2 },
    { arbitrary: on('VFORK', child), weight: 1 },
    { arbitrary: on('EXEC', fc.boolean().map((fails) => ({ fails }))), weight: 2 },
    { arbitrary: on('EXIT'), weight: 1 },
    { arbitrary: on('SIGALTSTACK', fc.constantFrom('small', 'window', 'large', 'disable').map((size) => ({ size }))), weight: 2 },
    {
      arbitrary: on(
        'SET_DISPOSITION',
        fc.oneof(
          fc.constantFrom('default', 'skip', 'request-permission').map((handler) => ({ signal: 'SIGILL', handler })),
          fc.constantFrom('default', 'skip').map((handler) => ({ signal: 'SIGSEGV', handler })),
        ),
      ),
      weight: 2,
    },
    { arbitrary: on('SIGNAL', fc.boolean().map((onstack) => ({ onstack }))), weight: 3 },
    { arbitrary: on('SIGRETURN', fc.constantFrom('keep', 'keep', 'forge', 'clear').map((tileBits) => ({ tileBits }))), weight: 3 },
    { arbitrary: on('PTRACE_GETREGSET'), weight: 1 },
    {
      arbitrary: on('PTRACE_SETREGSET', fc.record({ tileBits: fc.constantFrom('config', 'data'), length: fc.constantFrom('full', 'short') })),
      weight: 1,
    },
    { arbitrary: on('CONTEXT_SWITCH'), weight: 2 },
    { arbitrary: fc.constantFrom<RawStep>({ op: 'OOM_BEGIN' }, { op: 'OOM_END' }), weight: 2 },
  ];
  if (options.prealloc) arbs.push({ arbitrary: on('PREALLOC'), weight: 3 });
  return fc.oneof(...arbs);
}

/** Optional set-up steps that keep generated processes alive long enough to reach the AMX paths. */
const PRELUDE: readonly RawStep[] = [
  { task: 'main', op: 'SET_DISPOSITION', signal: 'SIGILL', handler: 'skip' },
  { task: 'main', op: 'REQ_PERM', feature: 18 },
  { task: 'main', op: 'LDTILECFG', palette: 1 },
  { task: 'main', op: 'CLONE_THREAD', child: 'a' },
  { task: 'a', op: 'CLONE_THREAD', child: 'b' },
];

/** A scenario: some of the prelude, in order, then up to 30 generated steps. */
export function scenarioArb(options: { prealloc?: boolean } = {}): fc.Arbitrary<RawStep[]> {
  return fc
    .tuple(fc.subarray([...PRELUDE]), fc.array(stepArb(options), { minLength: 1, maxLength: 30, size: 'medium' }))
    .map(([prelude, steps]) => [...prelude, ...steps]);
}

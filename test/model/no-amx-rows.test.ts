// The rows of shared/observed-no-amx-6.18.md (Linux 6.18.44 on an Intel Xeon VM whose hypervisor hides
// AMX), one test case each, run through the `linux` variant on the `no-amx` platform profile. Every
// expected value is copied from that document (or, where it says so, from linux-amx-semantics.md or
// the Intel SDM), never from the model's own output.

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NO_AMX_LINUX_6_18, PLATFORMS, permissionRequestAltstackMinimum, sigaltstackRefusalLimitWhenPermitted } from '../../machines/platform.js';
import { VARIANT_NAMES } from '../../machines/variants.js';
import type { StepValue } from '../../src/scenario/format.js';
import { expectRun, runSteps, type RawStep, type RunExpectation, type StepExpectation } from '../support/scenario.js';

interface RowCase {
  /** The row id of observed-no-amx-6.18.md ("N13"). */
  readonly row: string;
  /** Where the expected values come from: the row itself, or the row plus a rule it does not measure. */
  readonly source: 'observed' | 'observed+semantics' | 'observed+sdm';
  readonly title: string;
  readonly steps: readonly RawStep[];
  readonly expect: RunExpectation;
}

const PLATFORM = 'no-amx';
const step = (task: string, op: string, fields: Readonly<Record<string, StepValue>> = {}): RawStep => ({ task, op, ...fields });
const main = (op: string, fields?: Readonly<Record<string, StepValue>>): RawStep => step('main', op, fields);

// N7: ARCH_GET_XCOMP_SUPP / GET_PERM / GET_GUEST_PERM are all 0xe7 (no bit 17, no bit 18).
const BITMAP = '0xe7';
// N19: XSTATE_BV of a frame is 0xa3, bits 17 and 18 clear; PTRACE_GETREGSET reports the tile bits only.
const BV_NONE = '0x0';

/** N13: LDTILECFG and TILEZERO are #UD: SIGILL, si_code ILL_ILLOPN (2). */
const ud = (s: number, handler: 'skip' | 'request-permission' | null, extra: Partial<StepExpectation> = {}): StepExpectation => ({
  step: s,
  outcome: 'SIGILL',
  si_code: 'ILL_ILLOPN',
  fatal: handler === null,
  handler,
  ...extra,
});

const EINVAL_FEATURES = [20, 31, 62, 63, 64, 99, 1000, 2 ** 64 - 1, 0x80000012, 2 ** 32 + 18];
const EOPNOTSUPP_FEATURES = [18, 18, 17, ...Array.from({ length: 17 }, (_, i) => i), 19];

export const NO_AMX_ROWS: readonly RowCase[] = [
  {
    row: 'N7',
    source: 'observed',
    title: 'ARCH_GET_XCOMP_SUPP, GET_PERM and GET_GUEST_PERM are 0xe7',
    steps: [main('GET_SUPP'), main('GET_PERM'), main('GET_GUEST_PERM')],
    expect: {
      steps: [
        { step: 1, outcome: 'ok', bitmap: BITMAP },
        { step: 2, outcome: 'ok', bitmap: BITMAP },
        { step: 3, outcome: 'ok', bitmap: BITMAP },
      ],
    },
  },
  {
    row: 'N8',
    source: 'observed',
    title: 'REQ_PERM(18) twice, (17), 0..16 and 19 are each EOPNOTSUPP, and the permission stays 0xe7',
    steps: [...EOPNOTSUPP_FEATURES.map((feature) => main('REQ_PERM', { feature })), main('GET_PERM')],
    expect: {
      steps: [...EOPNOTSUPP_FEATURES.map((_, i) => ({ step: i + 1, outcome: 'EOPNOTSUPP' })), { step: EOPNOTSUPP_FEATURES.length + 1, bitmap: BITMAP }],
    },
  },
  {
    row: 'N9',
    source: 'observed',
    title: 'REQ_PERM with idx >= 20 (20, 31, 62, 63, 64, 99, 1000, ~0, 0x80000012, 1<<32|18) is EINVAL',
    steps: [...EINVAL_FEATURES.map((feature) => main('REQ_PERM', { feature })), main('GET_PERM')],
    expect: {
      steps: [...EINVAL_FEATURES.map((_, i) => ({ step: i + 1, outcome: 'EINVAL' })), { step: EINVAL_FEATURES.length + 1, bitmap: BITMAP }],
    },
  },
  {
    row: 'N10',
    source: 'observed+semantics',
    title: 'REQ_GUEST_PERM(18) is EOPNOTSUPP and the guest permission stays 0xe7, also after a vCPU locked it (E5: the E3 checks come before EBUSY)',
    steps: [main('REQ_GUEST_PERM', { feature: 18 }), main('GET_GUEST_PERM'), main('VCPU_CREATE'), main('REQ_GUEST_PERM', { feature: 18 }), main('GET_GUEST_PERM')],
    expect: {
      steps: [
        { step: 1, outcome: 'EOPNOTSUPP' },
        { step: 2, bitmap: BITMAP },
        { step: 4, outcome: 'EOPNOTSUPP' },
        { step: 5, bitmap: BITMAP },
      ],
    },
  },
  {
    row: 'N12',
    source: 'observed',
    title: 'LDTILECFG (palette 1) without a handler kills the process with SIGILL',
    steps: [main('CLONE_THREAD', { child: 'w' }), main('LDTILECFG', { palette: 1 })],
    // si_code from N13: the same #UD, seen by a handler.
    expect: { steps: [ud(2, null)], alive: { main: false, w: false } },
  },
  {
    row: 'N13',
    source: 'observed',
    title: 'LDTILECFG and TILEZERO with a skipping handler are SIGILL ILL_ILLOPN, both instructions, and nothing changes',
    steps: [main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }), main('LDTILECFG', { palette: 1 }), main('TOUCH'), main('PTRACE_GETREGSET')],
    expect: {
      steps: [ud(2, 'skip', { tiles: 'init', buffer: 'default' }), ud(3, 'skip', { tiles: 'init', buffer: 'default' }), { step: 4, bitmap: BV_NONE }],
      alive: { main: true },
    },
  },
  {
    row: 'N14',
    source: 'observed',
    title: 'a handler that changes nothing and returns makes the instruction fault again, forever: the thread is stuck, the others run',
    // The model's handler that returns without skipping is request-permission; here its request is
    // refused (N15), so it changes nothing, as the handler of N14.
    steps: [main('CLONE_THREAD', { child: 'w' }), main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'request-permission' }), step('w', 'LDTILECFG', { palette: 1 }), main('GET_PERM')],
    expect: {
      steps: [ud(3, 'request-permission', { hang: true, buffer: 'default' }), { step: 4, bitmap: BITMAP }],
      alive: { main: true, w: true },
      stuck: { main: false, w: true },
    },
  },
  {
    row: 'N15',
    source: 'observed',
    title: 'a handler that calls REQ_PERM(18) and returns gets EOPNOTSUPP every time, and the touch faults again, endlessly',
    steps: [
      main('CLONE_THREAD', { child: 'w' }),
      main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'request-permission' }),
      step('w', 'TOUCH'),
      main('GET_PERM'),
      main('REQ_PERM', { feature: 18 }),
    ],
    expect: {
      steps: [ud(3, 'request-permission', { hang: true, tiles: 'init', buffer: 'default' }), { step: 4, bitmap: BITMAP }, { step: 5, outcome: 'EOPNOTSUPP' }],
      stuck: { w: true },
    },
  },
  {
    row: 'N16',
    source: 'observed',
    title: 'REQ_PERM(18) with a main-thread altstack of any size is EOPNOTSUPP, never ENOSPC',
    steps: [
      main('SIGALTSTACK', { size: 'small' }),
      main('REQ_PERM', { feature: 18 }),
      main('SIGALTSTACK', { size: 'window' }),
      main('REQ_PERM', { feature: 18 }),
      main('SIGALTSTACK', { size: 'large' }),
      main('REQ_PERM', { feature: 18 }),
    ],
    expect: {
      steps: [
        { step: 2, outcome: 'EOPNOTSUPP' },
        { step: 4, outcome: 'EOPNOTSUPP' },
        { step: 6, outcome: 'EOPNOTSUPP' },
      ],
    },
  },
  {
    row: 'N17',
    source: 'observed',
    title: 'sigaltstack() accepts every size class (all >= 2048) before and after the refused request',
    steps: [
      main('SIGALTSTACK', { size: 'small' }),
      main('SIGALTSTACK', { size: 'window' }),
      main('SIGALTSTACK', { size: 'large' }),
      main('REQ_PERM', { feature: 18 }),
      main('SIGALTSTACK', { size: 'small' }),
      main('SIGALTSTACK', { size: 'window' }),
      main('SIGALTSTACK', { size: 'large' }),
      main('SIGALTSTACK', { size: 'disable' }),
    ],
    expect: {
      steps: [
        { step: 1, outcome: 'ok' },
        { step: 2, outcome: 'ok' },
        { step: 3, outcome: 'ok' },
        { step: 4, outcome: 'EOPNOTSUPP' },
        { step: 5, outcome: 'ok' },
        { step: 6, outcome: 'ok' },
        { step: 7, outcome: 'ok' },
        { step: 8, outcome: 'ok' },
      ],
    },
  },
  {
    row: 'N18',
    source: 'observed',
    title: 'in a thread, a fork child, a vfork child and after exec every request is EOPNOTSUPP and every touch SIGILL',
    steps: [
      main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }),
      main('CLONE_THREAD', { child: 'w' }),
      step('w', 'REQ_PERM', { feature: 18 }),
      step('w', 'TOUCH'),
      main('FORK', { child: 'c' }),
      step('c', 'REQ_PERM', { feature: 18 }),
      step('c', 'TOUCH'),
      step('c', 'VFORK', { child: 'v' }),
      step('v', 'REQ_PERM', { feature: 18 }),
      step('v', 'TOUCH'),
      step('v', 'EXEC'),
      step('v', 'REQ_PERM', { feature: 18 }),
      step('v', 'GET_PERM'),
      // exec reset the SIGILL handler to the default: the touch kills the exec'd image.
      step('v', 'TOUCH'),
      step('c', 'GET_PERM'),
      main('GET_PERM'),
    ],
    expect: {
      steps: [
        { step: 3, outcome: 'EOPNOTSUPP' },
        ud(4, 'skip'),
        { step: 6, outcome: 'EOPNOTSUPP' },
        ud(7, 'skip'),
        { step: 9, outcome: 'EOPNOTSUPP' },
        ud(10, 'skip'),
        { step: 12, outcome: 'EOPNOTSUPP' },
        { step: 13, bitmap: BITMAP },
        ud(14, null),
        { step: 15, bitmap: BITMAP },
        { step: 16, bitmap: BITMAP },
      ],
      alive: { main: true, w: true, c: true, v: false },
    },
  },
  {
    row: 'N19',
    source: 'observed',
    title: 'signal frames hold no tile bits: one frame fits the small altstack, two nested ones (7240 bytes) the large one',
    steps: [
      main('SIGALTSTACK', { size: 'small' }),
      main('SIGNAL', { onstack: true }),
      main('PTRACE_GETREGSET'),
      main('SIGRETURN'),
      main('REQ_PERM', { feature: 18 }),
      main('SIGALTSTACK', { size: 'large' }),
      main('SIGNAL', { onstack: true }),
      main('SIGNAL', { onstack: true }),
      main('SIGRETURN'),
      main('SIGRETURN'),
    ],
    expect: {
      steps: [
        { step: 2, outcome: 'ok', frameHasTiles: false, buffer: 'default' },
        { step: 3, bitmap: BV_NONE },
        { step: 5, outcome: 'EOPNOTSUPP' },
        { step: 7, outcome: 'ok', frameHasTiles: false },
        { step: 8, outcome: 'ok', frameHasTiles: false },
      ],
      alive: { main: true },
    },
  },
  {
    row: 'N20',
    source: 'observed',
    title: 'sigreturn through a frame with forged tile bits (not in XCR0) is SIGSEGV SI_KERNEL and kills the process',
    steps: [main('CLONE_THREAD', { child: 'w' }), main('SIGNAL'), main('SIGRETURN', { tileBits: 'forge' })],
    expect: {
      steps: [{ step: 3, outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: true, handler: null }],
      alive: { main: false, w: false },
    },
  },
];

/** Cases whose expected values also rest on a rule the no-AMX document does not measure. */
export const NO_AMX_DERIVED: readonly RowCase[] = [
  {
    row: 'N13',
    source: 'observed+sdm',
    title: 'TILERELEASE and LDTILECFG with a reserved palette are #UD as well: without AMX every tile instruction is undefined (SDM)',
    steps: [main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }), main('TILERELEASE'), main('LDTILECFG', { palette: 7 }), main('LDTILECFG', { palette: 0 })],
    expect: { steps: [ud(2, 'skip'), ud(3, 'skip'), ud(4, 'skip')], alive: { main: true } },
  },
  {
    row: 'N18',
    source: 'observed+semantics',
    title: 'PTRACE_SETREGSET: a short buffer is EFAULT first, then any tile bit is EINVAL (not in XCR0: E30), and GETREGSET reports 0x0',
    steps: [
      main('PTRACE_SETREGSET', { tileBits: 'config', length: 'short' }),
      main('PTRACE_SETREGSET', { tileBits: 'data', length: 'short' }),
      main('PTRACE_SETREGSET', { tileBits: 'config', length: 'full' }),
      main('PTRACE_SETREGSET', { tileBits: 'data', length: 'full' }),
      main('PTRACE_GETREGSET'),
    ],
    expect: {
      steps: [
        { step: 1, outcome: 'EFAULT' },
        { step: 2, outcome: 'EFAULT' },
        { step: 3, outcome: 'EINVAL', tiles: 'init' },
        { step: 4, outcome: 'EINVAL', tiles: 'init' },
        { step: 5, bitmap: BV_NONE },
      ],
    },
  },
];

const caseName = (c: RowCase) => `row ${c.row} (${c.source}): ${c.title}`;

describe('observed-no-amx-6.18.md rows on the linux variant, platform no-amx', () => {
  it.each(NO_AMX_ROWS.map((c) => [caseName(c), c] as const))('%s', (_name, c) => {
    expectRun(runSteps(c.steps, 'linux', PLATFORM), c.expect);
  });

  it.each(NO_AMX_DERIVED.map((c) => [caseName(c), c] as const))('%s', (_name, c) => {
    expectRun(runSteps(c.steps, 'linux', PLATFORM), c.expect);
  });

  // Without AMX the designs argued in 2021 have nothing to differ on: every variant predicts the same.
  it.each(VARIANT_NAMES.filter((v) => v !== 'linux').map((v) => [v] as const))('variant %s predicts what linux does on every row', (variant) => {
    for (const c of NO_AMX_ROWS) expect(runSteps(c.steps, variant, PLATFORM).observations, `${c.row} in ${variant}`).toEqual(runSteps(c.steps, 'linux', PLATFORM).observations);
  });
});

describe('the no-amx profile holds the numbers of observed-no-amx-6.18.md', () => {
  const p = NO_AMX_LINUX_6_18;

  it('is a named platform, and says that tile instructions do not exist', () => {
    expect(PLATFORMS['no-amx']).toBe(p);
    expect(p.amxUsable).toBe(false);
  });

  it('N1, N5, N7: XCR0 and every bitmap are 0xe7; the XSAVE size for XCR0 is 2688', () => {
    expect([p.xcompSupported, p.defaultPermission]).toEqual([0xe7, 0xe7]);
    expect(p.xstateMaxUserSize).toBe(2688);
  });

  it('N6, N17: AT_MINSIGSTKSZ 3632, the smallest accepted altstack 2048', () => {
    expect(p.minSigStackSize).toBe(3632);
    expect(p.legacyMinSigStackSize).toBe(2048);
    expect(permissionRequestAltstackMinimum(p)).toBe(3632);
    // max_frame_size - fpu_default_state_size + user size, as on the AMX machine: 3632 - 2804 + 2688.
    expect(sigaltstackRefusalLimitWhenPermitted(p)).toBe(3516);
  });

  it('N19: one frame uses 3208 bytes, and no frame ever grows; the size classes bracket them', () => {
    expect(p.frameBytes).toEqual({ default: 3208, large: 3208 });
    // small = max(2048, min(4096, 3632 - 100)), window = 3632 - 50, large = 2 x 3632.
    expect(p.altstackBytes).toEqual({ small: 3532, window: 3582, large: 7264 });
    expect(p.altstackBytes.small).toBeGreaterThanOrEqual(3208);
    expect(p.altstackBytes.large).toBeGreaterThanOrEqual(7240);
  });
});

/** Every row id of the table of observed-no-amx-6.18.md. */
const NO_AMX_ROW_IDS = Array.from({ length: 20 }, (_, i) => `N${i + 1}`);

/** Rows checked as numbers of the profile above rather than as runs. */
const PROFILE_ROWS = ['N1', 'N5', 'N6'];

export const NO_AMX_UNCOVERED: readonly { readonly row: string; readonly reason: string }[] = [
  { row: 'N2', reason: 'CPUID.(0xD,1): the model has no CPUID; that XFD is reported without AMX changes nothing it observes.' },
  { row: 'N3', reason: 'CPUID.(0xD,17/18) still describing the tile components: the model has no CPUID.' },
  { row: 'N4', reason: 'CPUID.(0x1D,0) max palette 0: the model has no CPUID.' },
  { row: 'N11', reason: 'Unknown arch_prctl code and NULL pointers: the model has no op for them (as row 1f of the AMX machine).' },
];

describe('no-amx row bookkeeping', () => {
  it('every row is a case, a profile number or listed as uncovered, once', () => {
    const ids = [...new Set(NO_AMX_ROWS.map((c) => c.row)), ...PROFILE_ROWS, ...NO_AMX_UNCOVERED.map((u) => u.row)];
    expect(ids.length).toBe(new Set(ids).size);
    expect([...ids].sort()).toEqual([...NO_AMX_ROW_IDS].sort());
    expect(NO_AMX_ROWS.map((c) => c.row).length).toBe(new Set(NO_AMX_ROWS.map((c) => c.row)).size);
  });

  const doc = new URL('../../../shared/observed-no-amx-6.18.md', import.meta.url);
  it.skipIf(!existsSync(doc))('the row ids match the table of observed-no-amx-6.18.md', () => {
    const ids = readFileSync(doc, 'utf8')
      .split('\n')
      .map((line) => /^\| (N\d+) \|/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    expect(ids.sort()).toEqual([...NO_AMX_ROW_IDS].sort());
  });
});

// The reference rows of shared/observed-linux-6.18.md (Linux 6.18.44 on AMX hardware), one test case
// each, run through the `linux` variant; plus rows of linux-amx-semantics.md the observations leave open.
// Every expected value is copied from those documents, never from the model's own output.

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StepValue } from '../../src/scenario/format.js';
import { expectRun, runSteps, type RawStep, type RunExpectation, type StepExpectation } from '../support/scenario.js';

interface RowCase {
  /** The row id of observed-linux-6.18.md ("5f"), or the event of linux-amx-semantics.md ("E10"). */
  readonly row: string;
  readonly source: 'observed' | 'semantics';
  readonly title: string;
  readonly steps: readonly RawStep[];
  readonly expect: RunExpectation;
}

const step = (task: string, op: string, fields: Readonly<Record<string, StepValue>> = {}): RawStep => ({ task, op, ...fields });
const main = (op: string, fields?: Readonly<Record<string, StepValue>>): RawStep => step('main', op, fields);
const OOM_BEGIN: RawStep = { op: 'OOM_BEGIN' };
const OOM_END: RawStep = { op: 'OOM_END' };

// Bitmaps of the measured machine (observed, "Environment" and row 1a).
const SUPP = '0x600e7';
const DEFAULT_PERM = '0x200e7';
const AMX_PERM = '0x600e7';
// XSTATE_BV tile bits: 17 = XTILECFG, 18 = XTILEDATA (rows 6b, 6c, 10c).
const BV_NONE = '0x0';
const BV_CFG = '0x20000';
const BV_CFG_DATA = '0x60000';

const sigill = (s: number, si_code: 'ILL_ILLOPC' | 'ILL_ILLOPN', fatal: boolean, extra: Partial<StepExpectation> = {}): StepExpectation => ({
  step: s,
  outcome: 'SIGILL',
  si_code,
  fatal,
  ...(fatal ? {} : { handler: 'skip' as const }),
  ...extra,
});

const EINVAL_FEATURES = [20, 31, 62, 63, 64, 99, 1000, 2 ** 64 - 1, 0x80000012, 2 ** 32 + 18];
const EOPNOTSUPP_FEATURES = [...Array.from({ length: 17 }, (_, i) => i), 19];
const EIGHT = Array.from({ length: 8 }, (_, i) => `t${i + 1}`);

export const ROWS: readonly RowCase[] = [
  {
    row: 'env',
    source: 'observed',
    title: 'baseline ARCH_GET_XCOMP_SUPP is 0x600e7, PERM and GUEST_PERM are 0x200e7',
    steps: [main('GET_SUPP'), main('GET_PERM'), main('GET_GUEST_PERM')],
    expect: {
      steps: [
        { step: 1, outcome: 'ok', bitmap: SUPP },
        { step: 2, outcome: 'ok', bitmap: DEFAULT_PERM },
        { step: 3, outcome: 'ok', bitmap: DEFAULT_PERM },
      ],
    },
  },
  {
    row: '1a',
    source: 'observed',
    title: 'REQ_PERM(18) in a fresh process returns 0 and GET_PERM goes 0x200e7 -> 0x600e7, guest perm unchanged',
    steps: [main('GET_PERM'), main('REQ_PERM', { feature: 18 }), main('GET_PERM'), main('GET_GUEST_PERM')],
    expect: {
      steps: [
        { step: 1, bitmap: DEFAULT_PERM },
        { step: 2, outcome: 'ok' },
        { step: 3, bitmap: AMX_PERM },
        { step: 4, bitmap: DEFAULT_PERM },
      ],
    },
  },
  {
    row: '1b',
    source: 'observed',
    title: 'a second REQ_PERM(18) returns 0 and changes nothing',
    steps: [main('REQ_PERM', { feature: 18 }), main('REQ_PERM', { feature: 18 }), main('GET_PERM')],
    expect: {
      steps: [
        { step: 1, outcome: 'ok' },
        { step: 2, outcome: 'ok' },
        { step: 3, bitmap: AMX_PERM },
      ],
    },
  },
  {
    row: '1c',
    source: 'observed',
    title: 'REQ_PERM(17) is EOPNOTSUPP before and after 18 was granted',
    steps: [main('REQ_PERM', { feature: 17 }), main('GET_PERM'), main('REQ_PERM', { feature: 18 }), main('REQ_PERM', { feature: 17 }), main('GET_PERM')],
    expect: {
      steps: [
        { step: 1, outcome: 'EOPNOTSUPP' },
        { step: 2, bitmap: DEFAULT_PERM },
        { step: 4, outcome: 'EOPNOTSUPP' },
        { step: 5, bitmap: AMX_PERM },
      ],
    },
  },
  {
    row: '1d',
    source: 'observed',
    title: 'REQ_PERM for components 0..16 and 19 is EOPNOTSUPP and leaves the permission unchanged',
    steps: [...EOPNOTSUPP_FEATURES.map((feature) => main('REQ_PERM', { feature })), main('GET_PERM')],
    expect: {
      steps: [
        ...EOPNOTSUPP_FEATURES.map((_, i) => ({ step: i + 1, outcome: 'EOPNOTSUPP' })),
        { step: EOPNOTSUPP_FEATURES.length + 1, bitmap: DEFAULT_PERM },
      ],
    },
  },
  {
    row: '1e',
    source: 'observed',
    title: 'REQ_PERM with idx >= 20 (20, 31, 62, 63, 64, 99, 1000, ~0, 0x80000012, 1<<32|18) is EINVAL',
    steps: [...EINVAL_FEATURES.map((feature) => main('REQ_PERM', { feature })), main('GET_PERM')],
    expect: {
      steps: [...EINVAL_FEATURES.map((_, i) => ({ step: i + 1, outcome: 'EINVAL' })), { step: EINVAL_FEATURES.length + 1, bitmap: DEFAULT_PERM }],
    },
  },
  {
    row: '1g',
    source: 'observed',
    title: 'REQ_GUEST_PERM(18) grants guest perm 0x600e7, host perm stays 0x200e7, same index rules as the host',
    steps: [
      main('REQ_GUEST_PERM', { feature: 18 }),
      main('GET_GUEST_PERM'),
      main('GET_PERM'),
      main('REQ_GUEST_PERM', { feature: 17 }),
      main('REQ_GUEST_PERM', { feature: 63 }),
      main('REQ_GUEST_PERM', { feature: 99 }),
      main('REQ_GUEST_PERM', { feature: 1 }),
    ],
    expect: {
      steps: [
        { step: 1, outcome: 'ok' },
        { step: 2, bitmap: AMX_PERM },
        { step: 3, bitmap: DEFAULT_PERM },
        { step: 4, outcome: 'EOPNOTSUPP' },
        { step: 5, outcome: 'EINVAL' },
        { step: 6, outcome: 'EINVAL' },
        { step: 7, outcome: 'EOPNOTSUPP' },
      ],
    },
  },
  {
    row: '1h',
    source: 'observed',
    title: 'guest permission alone gives no host use: the touch kills the process with SIGILL',
    steps: [main('REQ_GUEST_PERM', { feature: 18 }), main('LDTILECFG'), main('TOUCH')],
    expect: { steps: [sigill(3, 'ILL_ILLOPC', true)], alive: { main: false } },
  },
  {
    row: '1i',
    source: 'observed',
    title: 'REQ_GUEST_PERM ignores a 4096-byte altstack while the host REQ_PERM is ENOSPC',
    steps: [main('SIGALTSTACK', { size: 'small' }), main('REQ_GUEST_PERM', { feature: 18 }), main('REQ_PERM', { feature: 18 }), main('GET_GUEST_PERM'), main('GET_PERM')],
    expect: {
      steps: [
        { step: 2, outcome: 'ok' },
        { step: 3, outcome: 'ENOSPC' },
        { step: 4, bitmap: AMX_PERM },
        { step: 5, bitmap: DEFAULT_PERM },
      ],
    },
  },
  {
    row: '1j',
    source: 'observed',
    title: 'after KVM_CREATE_VCPU a new guest-perm request is EBUSY, a granted one returns 0, host REQ_PERM still works',
    steps: [
      main('FORK', { child: 'vmm' }),
      main('VCPU_CREATE'),
      main('REQ_GUEST_PERM', { feature: 18 }),
      main('GET_GUEST_PERM'),
      main('REQ_PERM', { feature: 18 }),
      main('GET_PERM'),
      step('vmm', 'REQ_GUEST_PERM', { feature: 18 }),
      step('vmm', 'VCPU_CREATE'),
      step('vmm', 'REQ_GUEST_PERM', { feature: 18 }),
      step('vmm', 'GET_GUEST_PERM'),
    ],
    expect: {
      steps: [
        { step: 3, outcome: 'EBUSY' },
        { step: 4, bitmap: DEFAULT_PERM },
        { step: 5, outcome: 'ok' },
        { step: 6, bitmap: AMX_PERM },
        { step: 9, outcome: 'ok' },
        { step: 10, bitmap: AMX_PERM },
      ],
    },
  },
  {
    row: '2a',
    source: 'observed',
    title: 'ldtilecfg without permission does not fault, allocates nothing and sets XINUSE[17]',
    steps: [main('LDTILECFG'), main('PTRACE_GETREGSET')],
    expect: {
      steps: [
        { step: 1, outcome: 'ok', fatal: null, buffer: 'default', tiles: 'init', vmalloc: 0 },
        // XINUSE[17] = 1, seen as XSTATE_BV bit 17 as in the frame of row 6b.
        { step: 2, bitmap: BV_CFG },
      ],
      alive: { main: true },
    },
  },
  {
    row: '2b',
    source: 'observed',
    title: 'touch without permission and without a handler kills the process with SIGILL',
    steps: [main('LDTILECFG'), main('TOUCH')],
    expect: { steps: [sigill(2, 'ILL_ILLOPC', true)], alive: { main: false } },
  },
  {
    row: '2c',
    source: 'observed',
    title: 'touch without permission runs the SIGILL handler with si_code ILL_ILLOPC',
    steps: [main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }), main('LDTILECFG'), main('TOUCH')],
    expect: { steps: [sigill(3, 'ILL_ILLOPC', false, { buffer: 'default', vmalloc: 0 })], alive: { main: true } },
  },
  {
    row: '2d',
    source: 'observed',
    title: 'a handler that returns without changing anything makes the touch fault again, forever: the thread is stuck, the others run on',
    // The model's returning handler is request-permission; a 4096-byte altstack makes its request
    // ENOSPC (5a) every round, so it changes nothing, as the handler of 2d.
    steps: [
      main('CLONE_THREAD', { child: 'w' }),
      main('SIGALTSTACK', { size: 'small' }),
      main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'request-permission' }),
      main('LDTILECFG'),
      main('TOUCH'),
      step('w', 'GET_PERM'),
    ],
    expect: {
      steps: [
        { step: 5, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: false, handler: 'request-permission', hang: true, buffer: 'default', vmalloc: 0 },
        { step: 6, bitmap: DEFAULT_PERM },
      ],
      alive: { main: true, w: true },
      stuck: { main: true, w: false },
    },
  },
  {
    row: '2e',
    source: 'observed',
    title: 'a SIGILL handler that calls REQ_PERM(18) and returns lets the instruction run again and succeed',
    steps: [main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'request-permission' }), main('LDTILECFG'), main('TOUCH'), main('GET_PERM')],
    expect: {
      steps: [
        { step: 3, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: false, handler: 'request-permission', hang: null, tiles: 'intact', buffer: 'large', vmalloc: 1 },
        { step: 4, bitmap: AMX_PERM },
      ],
      alive: { main: true },
    },
  },
  {
    row: '2h',
    source: 'observed',
    title: 'tilezero with no tile config is #UD (ILL_ILLOPN) with or without permission and after TILERELEASE',
    steps: [
      main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }),
      main('TOUCH'),
      main('REQ_PERM', { feature: 18 }),
      main('TOUCH'),
      main('LDTILECFG'),
      main('TOUCH'),
      main('TILERELEASE'),
      main('TOUCH'),
    ],
    expect: {
      steps: [
        sigill(2, 'ILL_ILLOPN', false),
        // #UD wins over the XFD #NM: no allocation either.
        sigill(4, 'ILL_ILLOPN', false, { buffer: 'default', vmalloc: 0 }),
        { step: 6, outcome: 'ok', buffer: 'large' },
        sigill(8, 'ILL_ILLOPN', false),
      ],
      alive: { main: true },
    },
  },
  {
    row: '2i',
    source: 'observed',
    title: 'ldtilecfg with palette 7 is #GP: SIGSEGV SI_KERNEL with or without permission',
    steps: [
      main('SET_DISPOSITION', { signal: 'SIGSEGV', handler: 'skip' }),
      main('LDTILECFG', { palette: 7 }),
      main('REQ_PERM', { feature: 18 }),
      main('LDTILECFG', { palette: 7 }),
      main('SET_DISPOSITION', { signal: 'SIGSEGV', handler: 'default' }),
      main('LDTILECFG', { palette: 7 }),
    ],
    expect: {
      steps: [
        { step: 2, outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: false, handler: 'skip' },
        { step: 4, outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: false, handler: 'skip' },
        { step: 6, outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: true },
      ],
      alive: { main: false },
    },
  },
  {
    row: '2j',
    source: 'observed',
    title: 'ldtilecfg palette 0 and TILERELEASE do not fault without permission and clear the config',
    steps: [
      main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }),
      main('LDTILECFG', { palette: 1 }),
      main('LDTILECFG', { palette: 0 }),
      main('TOUCH'),
      main('LDTILECFG', { palette: 1 }),
      main('TILERELEASE'),
      main('TOUCH'),
      main('LDTILECFG', { palette: 1 }),
      main('TOUCH'),
    ],
    expect: {
      steps: [
        { step: 3, outcome: 'ok', fatal: null },
        // XINUSE[17] cleared: the next data access has no config, so #UD comes first (2h).
        sigill(4, 'ILL_ILLOPN', false),
        { step: 6, outcome: 'ok', fatal: null },
        sigill(7, 'ILL_ILLOPN', false),
        // With a config again, the unpermitted touch reaches the XFD #NM (2c).
        sigill(9, 'ILL_ILLOPC', false),
      ],
      alive: { main: true },
    },
  },
  {
    row: '3a',
    source: 'observed',
    title: 'the main thread requests, then a new thread touches and expands its own buffer',
    steps: [main('REQ_PERM', { feature: 18 }), main('CLONE_THREAD', { child: 'w' }), step('w', 'LDTILECFG'), step('w', 'TOUCH')],
    expect: { steps: [{ step: 4, outcome: 'ok', fatal: null, tiles: 'intact', buffer: 'large', vmalloc: 1 }] },
  },
  {
    row: '3b',
    source: 'observed',
    title: 'a thread created before the request gets SIGILL ILL_ILLOPC before it and works after it',
    steps: [
      main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }),
      main('CLONE_THREAD', { child: 'w' }),
      step('w', 'LDTILECFG'),
      step('w', 'TOUCH'),
      main('REQ_PERM', { feature: 18 }),
      step('w', 'TOUCH'),
    ],
    expect: {
      steps: [sigill(4, 'ILL_ILLOPC', false, { buffer: 'default' }), { step: 6, outcome: 'ok', fatal: null, tiles: 'intact', buffer: 'large' }],
    },
  },
  {
    row: '3c',
    source: 'observed',
    title: 'a non-main thread requests: the main thread sees 0x600e7 and its touch works, new threads work',
    steps: [
      main('CLONE_THREAD', { child: 'w' }),
      step('w', 'REQ_PERM', { feature: 18 }),
      main('GET_PERM'),
      main('LDTILECFG'),
      main('TOUCH'),
      step('w', 'CLONE_THREAD', { child: 'x' }),
      step('x', 'LDTILECFG'),
      step('x', 'TOUCH'),
    ],
    expect: {
      steps: [
        { step: 2, outcome: 'ok' },
        { step: 3, bitmap: AMX_PERM },
        { step: 5, outcome: 'ok', buffer: 'large' },
        { step: 8, outcome: 'ok', buffer: 'large', vmalloc: 2 },
      ],
    },
  },
  {
    row: '3d',
    source: 'observed',
    title: 'after the leader exits, a surviving thread requests and touches, and later threads work',
    steps: [
      main('CLONE_THREAD', { child: 'w' }),
      main('EXIT'),
      step('w', 'REQ_PERM', { feature: 18 }),
      step('w', 'LDTILECFG'),
      step('w', 'TOUCH'),
      step('w', 'CLONE_THREAD', { child: 'x' }),
      step('x', 'LDTILECFG'),
      step('x', 'TOUCH'),
      step('x', 'GET_PERM'),
    ],
    expect: {
      steps: [
        { step: 3, outcome: 'ok' },
        { step: 5, outcome: 'ok', buffer: 'large' },
        { step: 8, outcome: 'ok', buffer: 'large' },
        { step: 9, bitmap: AMX_PERM },
      ],
      alive: { main: false, w: true, x: true },
    },
  },
  {
    row: '3e',
    source: 'observed',
    title: '8 threads touching for the first time all work, each with its own buffer',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      ...EIGHT.map((t) => main('CLONE_THREAD', { child: t })),
      ...EIGHT.map((t) => step(t, 'LDTILECFG')),
      ...EIGHT.map((t) => step(t, 'TOUCH')),
    ],
    expect: { steps: EIGHT.map((_, i) => ({ step: 18 + i, outcome: 'ok', fatal: null, buffer: 'large' as const, vmalloc: i + 1 })) },
  },
  {
    row: '3f',
    source: 'observed',
    title: 'pthread_create from a thread with live tiles copies the config but not the data',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('LDTILECFG'),
      main('TOUCH'),
      main('CLONE_THREAD', { child: 'w' }),
      step('w', 'CHECK_TILES'),
      // No LDTILECFG: the inherited palette makes this a data access, not a #UD (2h).
      step('w', 'TOUCH'),
      main('CHECK_TILES'),
    ],
    expect: {
      steps: [
        { step: 5, tiles: 'init', buffer: 'default' },
        // The #NM allocation is silent.
        { step: 6, outcome: 'ok', fatal: null, buffer: 'large', vmalloc: 2 },
        { step: 7, tiles: 'intact' },
      ],
    },
  },
  {
    row: '4a',
    source: 'observed',
    title: 'a forked child of an unpermitted parent requests: the child gets 0x600e7, the parent stays 0x200e7',
    steps: [main('FORK', { child: 'c' }), step('c', 'REQ_PERM', { feature: 18 }), step('c', 'GET_PERM'), main('GET_PERM')],
    expect: {
      steps: [
        { step: 2, outcome: 'ok' },
        { step: 3, bitmap: AMX_PERM },
        { step: 4, bitmap: DEFAULT_PERM },
      ],
    },
  },
  {
    row: '4b',
    source: 'observed',
    title: 'fork after request and touch: child and grandchild inherit PERM and GUEST_PERM and the config, not the data',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('REQ_GUEST_PERM', { feature: 18 }),
      main('LDTILECFG'),
      main('TOUCH'),
      main('FORK', { child: 'c' }),
      step('c', 'GET_PERM'),
      step('c', 'GET_GUEST_PERM'),
      step('c', 'CHECK_TILES'),
      step('c', 'TOUCH'),
      step('c', 'FORK', { child: 'g' }),
      step('g', 'GET_PERM'),
      step('g', 'GET_GUEST_PERM'),
      main('CHECK_TILES'),
    ],
    expect: {
      steps: [
        { step: 6, bitmap: AMX_PERM },
        { step: 7, bitmap: AMX_PERM },
        { step: 8, tiles: 'init', buffer: 'default' },
        { step: 9, outcome: 'ok', fatal: null, buffer: 'large', vmalloc: 2 },
        { step: 11, bitmap: AMX_PERM },
        { step: 12, bitmap: AMX_PERM },
        { step: 13, tiles: 'intact', buffer: 'large' },
      ],
    },
  },
  {
    row: '4c',
    source: 'observed',
    title: 'a vfork child requests: the child gets 0x600e7, the parent does not',
    steps: [main('VFORK', { child: 'c' }), step('c', 'REQ_PERM', { feature: 18 }), step('c', 'GET_PERM'), step('c', 'EXIT'), main('GET_PERM')],
    expect: {
      steps: [
        { step: 2, outcome: 'ok' },
        { step: 3, bitmap: AMX_PERM },
        { step: 5, bitmap: DEFAULT_PERM },
      ],
    },
  },
  {
    row: '4d',
    source: 'observed',
    title: 'execve resets PERM and GUEST_PERM to 0x200e7 and the tiles to init; the next touch is SIGILL',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('REQ_GUEST_PERM', { feature: 18 }),
      main('LDTILECFG'),
      main('TOUCH'),
      main('EXEC'),
      main('GET_PERM'),
      main('GET_GUEST_PERM'),
      main('CHECK_TILES'),
      main('LDTILECFG'),
      main('TOUCH'),
    ],
    expect: {
      steps: [
        { step: 6, bitmap: DEFAULT_PERM },
        { step: 7, bitmap: DEFAULT_PERM },
        { step: 8, tiles: 'init', buffer: 'default' },
        sigill(10, 'ILL_ILLOPC', true),
      ],
      alive: { main: false },
    },
  },
  {
    row: '4e',
    source: 'observed',
    title: 'a failed execve (ENOENT) keeps the permission',
    steps: [main('REQ_PERM', { feature: 18 }), main('EXEC', { fails: true }), main('GET_PERM')],
    expect: {
      steps: [
        { step: 2, outcome: 'ENOENT' },
        { step: 3, bitmap: AMX_PERM },
      ],
    },
  },
  {
    row: '4f',
    source: 'observed',
    title: 'vfork + exec: the child sees 0x600e7 before exec and 0x200e7 after it',
    steps: [main('REQ_PERM', { feature: 18 }), main('VFORK', { child: 'c' }), step('c', 'GET_PERM'), step('c', 'EXEC'), step('c', 'GET_PERM'), main('GET_PERM')],
    expect: {
      steps: [
        { step: 3, bitmap: AMX_PERM },
        { step: 5, bitmap: DEFAULT_PERM },
        { step: 6, bitmap: AMX_PERM },
      ],
    },
  },
  {
    row: '5a',
    source: 'observed',
    title: 'REQ_PERM is ENOSPC with a 4096-byte or window-size main altstack, 0 with one >= 11952',
    steps: [
      main('SIGALTSTACK', { size: 'small' }),
      main('REQ_PERM', { feature: 18 }),
      main('SIGALTSTACK', { size: 'window' }),
      main('REQ_PERM', { feature: 18 }),
      main('SIGALTSTACK', { size: 'large' }),
      main('REQ_PERM', { feature: 18 }),
      main('GET_PERM'),
    ],
    expect: {
      steps: [
        { step: 2, outcome: 'ENOSPC' },
        { step: 4, outcome: 'ENOSPC' },
        { step: 6, outcome: 'ok' },
        { step: 7, bitmap: AMX_PERM },
      ],
    },
  },
  {
    row: '5b',
    source: 'observed',
    title: "another thread's 4096-byte altstack makes REQ_PERM ENOSPC until that thread exits",
    steps: [
      main('CLONE_THREAD', { child: 'w' }),
      step('w', 'SIGALTSTACK', { size: 'small' }),
      main('REQ_PERM', { feature: 18 }),
      main('GET_PERM'),
      step('w', 'EXIT'),
      main('REQ_PERM', { feature: 18 }),
    ],
    expect: {
      steps: [
        { step: 3, outcome: 'ENOSPC' },
        { step: 4, bitmap: DEFAULT_PERM },
        { step: 6, outcome: 'ok' },
      ],
    },
  },
  {
    row: '5c',
    source: 'observed',
    title: 'a small altstack disabled with SS_DISABLE does not block REQ_PERM',
    steps: [main('SIGALTSTACK', { size: 'small' }), main('SIGALTSTACK', { size: 'disable' }), main('REQ_PERM', { feature: 18 })],
    expect: { steps: [{ step: 3, outcome: 'ok' }] },
  },
  {
    row: '5d',
    source: 'observed',
    title: 'a fork child inherits the 4096-byte altstack, so its REQ_PERM is ENOSPC',
    steps: [main('SIGALTSTACK', { size: 'small' }), main('FORK', { child: 'c' }), step('c', 'REQ_PERM', { feature: 18 }), step('c', 'GET_PERM')],
    expect: {
      steps: [
        { step: 3, outcome: 'ENOSPC' },
        { step: 4, bitmap: DEFAULT_PERM },
      ],
    },
  },
  {
    row: '5e',
    source: 'observed',
    title: 'sigaltstack without permission accepts every size from 2048 up (small, window, large)',
    steps: [main('SIGALTSTACK', { size: 'small' }), main('SIGALTSTACK', { size: 'window' }), main('SIGALTSTACK', { size: 'large' }), main('SIGALTSTACK', { size: 'disable' })],
    expect: {
      steps: [
        { step: 1, outcome: 'ok' },
        { step: 2, outcome: 'ok' },
        { step: 3, outcome: 'ok' },
        { step: 4, outcome: 'ok' },
      ],
    },
  },
  {
    row: '5f',
    source: 'observed',
    title: 'sigaltstack after permission refuses 4096 and accepts the window size',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('SIGALTSTACK', { size: 'small' }),
      main('SIGALTSTACK', { size: 'window' }),
      main('SIGALTSTACK', { size: 'large' }),
      main('SIGALTSTACK', { size: 'disable' }),
      main('CLONE_THREAD', { child: 'w' }),
      step('w', 'SIGALTSTACK', { size: 'small' }),
      step('w', 'SIGALTSTACK', { size: 'window' }),
    ],
    expect: {
      steps: [
        { step: 2, outcome: 'ENOMEM' },
        // 11837..11951 passes sigaltstack() although REQ_PERM would refuse it (the 116-byte asymmetry).
        { step: 3, outcome: 'ok' },
        { step: 4, outcome: 'ok' },
        { step: 5, outcome: 'ok' },
        { step: 7, outcome: 'ENOMEM' },
        { step: 8, outcome: 'ok' },
      ],
    },
  },
  {
    row: '5g',
    source: 'observed',
    title: 'REQ_PERM against sigaltstack(4096) of a live thread: one of the two fails, both succeed only after that thread exits',
    steps: [
      main('FORK', { child: 'q' }),
      main('CLONE_THREAD', { child: 'w' }),
      step('w', 'SIGALTSTACK', { size: 'small' }),
      main('REQ_PERM', { feature: 18 }),
      step('q', 'CLONE_THREAD', { child: 'v' }),
      step('q', 'REQ_PERM', { feature: 18 }),
      step('v', 'SIGALTSTACK', { size: 'small' }),
      step('w', 'EXIT'),
      main('REQ_PERM', { feature: 18 }),
    ],
    expect: {
      steps: [
        // install first, thread alive: REQ loses.
        { step: 4, outcome: 'ENOSPC' },
        // REQ first: sigaltstack loses.
        { step: 6, outcome: 'ok' },
        { step: 7, outcome: 'ENOMEM' },
        // install, the thread exits, REQ: the legal "both succeed" linearisation.
        { step: 9, outcome: 'ok' },
      ],
    },
  },
  {
    row: '6a',
    source: 'observed',
    title: 'the signal frame has no tile data without permission and with permission but no touch',
    steps: [main('SIGNAL'), main('SIGRETURN'), main('REQ_PERM', { feature: 18 }), main('SIGNAL'), main('SIGRETURN')],
    expect: {
      steps: [
        { step: 1, outcome: 'ok', frameHasTiles: false, buffer: 'default' },
        { step: 4, outcome: 'ok', frameHasTiles: false, buffer: 'default', vmalloc: 0 },
      ],
    },
  },
  {
    row: '6b',
    source: 'observed',
    title: 'after ldtilecfg only the frame stays small and saves the palette',
    steps: [main('REQ_PERM', { feature: 18 }), main('LDTILECFG'), main('SIGNAL'), main('SIGRETURN'), main('TOUCH')],
    expect: {
      steps: [
        { step: 3, frameHasTiles: false, buffer: 'default' },
        // The palette came back from the frame: the touch is a data access (no #UD) and expands.
        { step: 5, outcome: 'ok', fatal: null, buffer: 'large' },
      ],
    },
  },
  {
    row: '6c',
    source: 'observed',
    title: 'with live tile data the frame is large and carries XSTATE_BV bit 18 and the tiles',
    steps: [main('REQ_PERM', { feature: 18 }), main('LDTILECFG'), main('TOUCH'), main('SIGNAL')],
    expect: { steps: [{ step: 4, outcome: 'ok', frameHasTiles: true, buffer: 'large' }] },
  },
  {
    row: '6d',
    source: 'observed',
    title: 'the handler starts with tile config and data in init state',
    steps: [main('REQ_PERM', { feature: 18 }), main('LDTILECFG'), main('TOUCH'), main('SIGNAL'), main('CHECK_TILES')],
    expect: {
      steps: [
        { step: 4, tiles: 'init' },
        { step: 5, tiles: 'init' },
      ],
    },
  },
  {
    row: '6e',
    source: 'observed',
    title: 'sigreturn restores the tiles exactly, even when the handler used AMX itself without a #NM',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('LDTILECFG'),
      main('TOUCH'),
      main('SIGNAL'),
      main('LDTILECFG'),
      main('TOUCH'),
      main('SIGRETURN'),
      main('CHECK_TILES'),
    ],
    expect: {
      steps: [
        { step: 3, vmalloc: 1 },
        { step: 6, outcome: 'ok', fatal: null, vmalloc: 1 },
        { step: 7, outcome: 'ok', tiles: 'intact' },
        { step: 8, tiles: 'intact' },
      ],
    },
  },
  {
    row: '6g',
    source: 'observed',
    title: 'a live AMX frame is delivered on the smallest altstack allowed after permission',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('SIGALTSTACK', { size: 'window' }),
      main('LDTILECFG'),
      main('TOUCH'),
      main('SIGNAL', { onstack: true }),
      main('SIGRETURN'),
    ],
    expect: {
      steps: [
        { step: 5, outcome: 'ok', fatal: null, frameHasTiles: true },
        { step: 6, outcome: 'ok', tiles: 'intact' },
      ],
      alive: { main: true },
    },
  },
  {
    row: '6h',
    source: 'observed',
    title: 'a nested SA_ONSTACK signal with live AMX overflows the altstack and kills; untouched it survives',
    // 16 KiB is not a size class: the window altstack (smaller still) stands in for it.
    steps: [
      main('FORK', { child: 'ctl' }),
      main('REQ_PERM', { feature: 18 }),
      main('SIGALTSTACK', { size: 'window' }),
      main('LDTILECFG'),
      main('TOUCH'),
      main('SIGNAL', { onstack: true }),
      main('SIGNAL', { onstack: true }),
      step('ctl', 'REQ_PERM', { feature: 18 }),
      step('ctl', 'SIGALTSTACK', { size: 'window' }),
      step('ctl', 'SIGNAL', { onstack: true }),
      step('ctl', 'SIGNAL', { onstack: true }),
      step('ctl', 'SIGRETURN'),
      step('ctl', 'SIGRETURN'),
    ],
    expect: {
      steps: [
        { step: 6, outcome: 'ok', frameHasTiles: true },
        { step: 7, outcome: 'SIGSEGV', fatal: true },
        { step: 10, outcome: 'ok', fatal: null, frameHasTiles: false },
        { step: 11, outcome: 'ok', fatal: null },
      ],
      alive: { main: false, ctl: true },
    },
  },
  {
    row: '6i',
    source: 'observed',
    title: 'first touch inside a handler allocates; sigreturn through the small frame leaves tiles and config init',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('LDTILECFG'),
      main('SIGNAL'),
      main('LDTILECFG'),
      main('TOUCH'),
      main('SIGRETURN'),
      main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }),
      main('TOUCH'),
      main('SIGNAL'),
    ],
    expect: {
      steps: [
        { step: 3, frameHasTiles: false, buffer: 'default' },
        { step: 5, outcome: 'ok', fatal: null, buffer: 'large', vmalloc: 1 },
        { step: 6, outcome: 'ok', tiles: 'init', buffer: 'large' },
        // The config is init too: a data access without one is #UD.
        sigill(8, 'ILL_ILLOPN', false),
        // The next frame follows the (now large) buffer.
        { step: 9, frameHasTiles: false, buffer: 'large' },
      ],
    },
  },
  {
    row: '7a',
    source: 'observed',
    title: 'sigreturn with bit 18 forged and no permission is ignored: no signal, no tiles, the next frame is small',
    steps: [main('SIGNAL'), main('SIGRETURN', { tileBits: 'forge' }), main('SIGNAL'), main('SIGRETURN')],
    expect: {
      steps: [
        { step: 2, outcome: 'ok', fatal: null, tiles: 'init', buffer: 'default', vmalloc: 0 },
        { step: 3, frameHasTiles: false, buffer: 'default' },
      ],
      alive: { main: true },
    },
  },
  {
    row: '7b',
    source: 'observed',
    title: 'permitted but untouched: forged bit 17 is restored, bit 18 ignored, nothing allocated',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('SIGNAL'),
      main('SIGRETURN', { tileBits: 'forge' }),
      main('SIGNAL'),
      main('SIGRETURN'),
      main('TOUCH'),
    ],
    expect: {
      steps: [
        { step: 3, outcome: 'ok', fatal: null, tiles: 'init', buffer: 'default', vmalloc: 0 },
        { step: 4, frameHasTiles: false, buffer: 'default' },
        // Palette 1 was restored: the touch is a data access (no #UD) and expands.
        { step: 6, outcome: 'ok', fatal: null, buffer: 'large', vmalloc: 1 },
      ],
    },
  },
  {
    row: '7c',
    source: 'observed',
    title: 'a handler that clears bit 18 of a touched thread leaves the tiles zero after return',
    steps: [main('REQ_PERM', { feature: 18 }), main('LDTILECFG'), main('TOUCH'), main('SIGNAL'), main('SIGRETURN', { tileBits: 'clear' })],
    expect: {
      steps: [
        { step: 4, frameHasTiles: true },
        { step: 5, outcome: 'ok', fatal: null, tiles: 'init', buffer: 'large' },
      ],
    },
  },
  {
    row: '8',
    source: 'observed',
    title: 'tiles survive context switches of several AMX threads',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('CLONE_THREAD', { child: 'w' }),
      main('LDTILECFG'),
      main('TOUCH'),
      step('w', 'LDTILECFG'),
      step('w', 'TOUCH'),
      main('CONTEXT_SWITCH'),
      step('w', 'CONTEXT_SWITCH'),
      main('CONTEXT_SWITCH'),
      main('CHECK_TILES'),
      step('w', 'CHECK_TILES'),
    ],
    expect: {
      steps: [
        { step: 7, tiles: 'intact' },
        { step: 8, tiles: 'intact' },
        { step: 9, tiles: 'intact' },
        { step: 10, tiles: 'intact' },
        { step: 11, tiles: 'intact' },
      ],
    },
  },
  {
    row: '9a',
    source: 'observed',
    title: 'TILERELEASE puts the tiles in init, loses the config and keeps the buffer',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('LDTILECFG'),
      main('TOUCH'),
      main('TILERELEASE'),
      main('PTRACE_GETREGSET'),
      main('SIGNAL'),
      main('SIGRETURN'),
      main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }),
      main('TOUCH'),
      main('LDTILECFG'),
      main('TOUCH'),
    ],
    expect: {
      steps: [
        { step: 4, outcome: 'ok', tiles: 'init', buffer: 'large', vmalloc: 1 },
        { step: 5, bitmap: BV_NONE },
        // The frame keeps the large size (buffer) but XSTATE_BV bits 17/18 are 0.
        { step: 6, frameHasTiles: false, buffer: 'large' },
        { step: 7, tiles: 'init' },
        // Palette 0 after the handler: #UD.
        sigill(9, 'ILL_ILLOPN', false, { buffer: 'large' }),
        // Re-touch after ldtilecfg: no trap, no new buffer.
        { step: 11, outcome: 'ok', fatal: null, tiles: 'intact', vmalloc: 1 },
      ],
    },
  },
  {
    row: '9b',
    source: 'observed',
    title: 'vmalloc areas: +0 after REQ and ldtilecfg, +1 at the first tilezero, kept after TILERELEASE, +N for N threads, freed at exit',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('LDTILECFG'),
      main('TOUCH'),
      main('TILERELEASE'),
      main('LDTILECFG'),
      main('TOUCH'),
      main('CLONE_THREAD', { child: 'w' }),
      main('CLONE_THREAD', { child: 'x' }),
      step('w', 'LDTILECFG'),
      step('w', 'TOUCH'),
      step('x', 'LDTILECFG'),
      step('x', 'TOUCH'),
      step('w', 'EXIT'),
      step('x', 'EXIT'),
    ],
    expect: {
      steps: [
        { step: 1, vmalloc: 0 },
        { step: 2, vmalloc: 0 },
        { step: 3, vmalloc: 1 },
        { step: 4, vmalloc: 1 },
        { step: 6, vmalloc: 1 },
        { step: 10, vmalloc: 2 },
        { step: 12, vmalloc: 3 },
        { step: 13, outcome: 'ok', vmalloc: 2, leakedBuffers: 0 },
        { step: 14, outcome: 'ok', vmalloc: 1, leakedBuffers: 0 },
      ],
    },
  },
  {
    row: '9c',
    source: 'observed',
    title: 'execve by a thread that touched AMX orphans its buffer; touch+exit and perm+exec without touch leak nothing',
    steps: [
      main('FORK', { child: 'touchExit' }),
      main('FORK', { child: 'permExec' }),
      main('REQ_PERM', { feature: 18 }),
      main('LDTILECFG'),
      main('TOUCH'),
      main('EXEC'),
      main('REQ_PERM', { feature: 18 }),
      main('LDTILECFG'),
      main('TOUCH'),
      main('TILERELEASE'),
      main('EXEC'),
      step('touchExit', 'REQ_PERM', { feature: 18 }),
      step('touchExit', 'LDTILECFG'),
      step('touchExit', 'TOUCH'),
      step('touchExit', 'EXIT'),
      step('permExec', 'REQ_PERM', { feature: 18 }),
      step('permExec', 'EXEC'),
      step('permExec', 'EXIT'),
      main('EXIT'),
    ],
    expect: {
      steps: [
        { step: 5, vmalloc: 1 },
        { step: 6, outcome: 'ok', buffer: 'default', leakedBuffers: 1, vmalloc: 1 },
        // Also with TILERELEASE before the exec.
        { step: 11, outcome: 'ok', buffer: 'default', leakedBuffers: 2, vmalloc: 2 },
        { step: 14, vmalloc: 3 },
        { step: 15, outcome: 'ok', leakedBuffers: 2, vmalloc: 2 },
        { step: 17, outcome: 'ok', leakedBuffers: 2, vmalloc: 2 },
        { step: 18, outcome: 'ok', leakedBuffers: 2, vmalloc: 2 },
        // The orphaned buffers stay after the processes are gone.
        { step: 19, outcome: 'ok', leakedBuffers: 2, vmalloc: 2 },
      ],
      alive: { main: false, touchExit: false, permExec: false },
    },
  },
  {
    row: '10c',
    source: 'observed',
    title: 'GETREGSET XSTATE_BV: bit 18 clear untouched, set when touched, bits 17/18 clear after TILERELEASE',
    steps: [
      main('PTRACE_GETREGSET'),
      main('REQ_PERM', { feature: 18 }),
      main('LDTILECFG'),
      main('PTRACE_GETREGSET'),
      main('TOUCH'),
      main('PTRACE_GETREGSET'),
      main('TILERELEASE'),
      main('PTRACE_GETREGSET'),
    ],
    expect: {
      steps: [
        { step: 1, outcome: 'ok', bitmap: BV_NONE },
        // Untouched: bit 18 = 0 (bit 17 is XINUSE[17] after ldtilecfg, rows 2a and 6b).
        { step: 4, outcome: 'ok', bitmap: BV_CFG },
        { step: 6, outcome: 'ok', bitmap: BV_CFG_DATA },
        { step: 8, outcome: 'ok', bitmap: BV_NONE },
      ],
    },
  },
  {
    row: '10d',
    source: 'observed',
    title: 'SETREGSET with bit 18 into a tracee without permission is EINVAL',
    steps: [main('PTRACE_SETREGSET', { tileBits: 'data' })],
    expect: { steps: [{ step: 1, outcome: 'EINVAL', buffer: 'default', vmalloc: 0 }] },
  },
  {
    row: '10e',
    source: 'observed',
    title: 'SETREGSET with bit 18 into a permitted, untouched tracee is EINVAL; its first touch then works',
    steps: [main('REQ_PERM', { feature: 18 }), main('PTRACE_SETREGSET', { tileBits: 'data' }), main('LDTILECFG'), main('TOUCH')],
    expect: {
      steps: [
        { step: 2, outcome: 'EINVAL', buffer: 'default', vmalloc: 0 },
        { step: 4, outcome: 'ok', fatal: null, buffer: 'large', vmalloc: 1 },
      ],
    },
  },
  {
    row: '10f',
    source: 'observed',
    title: "SETREGSET with bit 18 into a touched tracee is accepted and the tracee reads the tracer's data",
    steps: [main('REQ_PERM', { feature: 18 }), main('LDTILECFG'), main('TOUCH'), main('TILERELEASE'), main('PTRACE_SETREGSET', { tileBits: 'data' })],
    expect: { steps: [{ step: 5, outcome: 'ok', tiles: 'intact', buffer: 'large', vmalloc: 1 }] },
  },
  {
    row: '10g',
    source: 'observed',
    title: 'SETREGSET with only bit 17 into an unpermitted tracee is accepted; its next data access is SIGILL ILL_ILLOPC',
    steps: [main('PTRACE_SETREGSET', { tileBits: 'config' }), main('TOUCH')],
    expect: {
      steps: [{ step: 1, outcome: 'ok', buffer: 'default' }, sigill(2, 'ILL_ILLOPC', true)],
      alive: { main: false },
    },
  },
  {
    row: '10h',
    source: 'observed',
    title: 'SETREGSET with the short 2816-byte length is EFAULT, the full length is accepted',
    steps: [
      main('REQ_PERM', { feature: 18 }),
      main('LDTILECFG'),
      main('TOUCH'),
      main('PTRACE_SETREGSET', { tileBits: 'data', length: 'short' }),
      main('PTRACE_SETREGSET', { tileBits: 'data', length: 'full' }),
    ],
    expect: {
      steps: [
        { step: 4, outcome: 'EFAULT' },
        { step: 5, outcome: 'ok' },
      ],
    },
  },
  // linux-amx-semantics.md, where the observations are silent.
  {
    row: 'E10',
    source: 'semantics',
    title: 'allocation failure at the first touch gives SIGSEGV SI_KERNEL and kills the process with the default disposition',
    steps: [main('REQ_PERM', { feature: 18 }), main('CLONE_THREAD', { child: 'w' }), main('LDTILECFG'), OOM_BEGIN, main('TOUCH')],
    expect: {
      steps: [{ step: 5, outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: true, vmalloc: 0 }],
      alive: { main: false, w: false },
    },
  },
  {
    row: 'E10',
    source: 'semantics',
    title: 'a skipping SIGSEGV handler survives the failed allocation; the thread stays unexpanded and a later touch allocates',
    steps: [
      main('SET_DISPOSITION', { signal: 'SIGSEGV', handler: 'skip' }),
      main('REQ_PERM', { feature: 18 }),
      main('LDTILECFG'),
      OOM_BEGIN,
      main('TOUCH'),
      OOM_END,
      main('TOUCH'),
    ],
    expect: {
      steps: [
        { step: 5, outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: false, handler: 'skip', buffer: 'default', vmalloc: 0 },
        { step: 7, outcome: 'ok', fatal: null, buffer: 'large', vmalloc: 1 },
      ],
      alive: { main: true },
    },
  },
  {
    row: 'E15',
    source: 'semantics',
    title: "a new thread does not inherit its creator's altstack",
    steps: [main('SIGALTSTACK', { size: 'small' }), main('CLONE_THREAD', { child: 'w' }), main('SIGALTSTACK', { size: 'disable' }), main('REQ_PERM', { feature: 18 })],
    expect: { steps: [{ step: 4, outcome: 'ok' }] },
  },
  {
    row: 'E16',
    source: 'semantics',
    title: 'fork copies the guest-permission lock (EBUSY in the child) and exec clears it',
    steps: [
      main('VCPU_CREATE'),
      main('FORK', { child: 'c' }),
      step('c', 'REQ_GUEST_PERM', { feature: 18 }),
      main('EXEC'),
      main('REQ_GUEST_PERM', { feature: 18 }),
      main('GET_GUEST_PERM'),
    ],
    expect: {
      steps: [
        { step: 3, outcome: 'EBUSY' },
        { step: 5, outcome: 'ok' },
        { step: 6, bitmap: AMX_PERM },
      ],
    },
  },
  {
    row: 'E17',
    source: 'semantics',
    title: 'a vfork child inherits the altstack, so its REQ_PERM is ENOSPC',
    steps: [main('SIGALTSTACK', { size: 'small' }), main('VFORK', { child: 'c' }), step('c', 'REQ_PERM', { feature: 18 }), step('c', 'EXIT'), main('GET_PERM')],
    expect: {
      steps: [
        { step: 3, outcome: 'ENOSPC' },
        { step: 5, bitmap: DEFAULT_PERM },
      ],
    },
  },
  {
    row: 'E18',
    source: 'semantics',
    title: 'exec clears the altstack, so the new image may request permission',
    steps: [main('SIGALTSTACK', { size: 'small' }), main('REQ_PERM', { feature: 18 }), main('EXEC'), main('REQ_PERM', { feature: 18 })],
    expect: {
      steps: [
        { step: 2, outcome: 'ENOSPC' },
        { step: 4, outcome: 'ok' },
      ],
    },
  },
  {
    row: 'E18',
    source: 'semantics',
    title: "exec by one thread kills the other threads (de_thread) and frees their buffers",
    steps: [main('REQ_PERM', { feature: 18 }), main('CLONE_THREAD', { child: 'w' }), step('w', 'LDTILECFG'), step('w', 'TOUCH'), main('EXEC')],
    expect: {
      steps: [
        { step: 4, vmalloc: 1 },
        { step: 5, outcome: 'ok', leakedBuffers: 0, vmalloc: 0 },
      ],
      alive: { main: true, w: false },
    },
  },
  {
    row: 'E28',
    source: 'semantics',
    title: 'sigaltstack while running on the altstack is EPERM',
    steps: [main('SIGALTSTACK', { size: 'large' }), main('SIGNAL', { onstack: true }), main('SIGALTSTACK', { size: 'disable' }), main('SIGRETURN'), main('SIGALTSTACK', { size: 'disable' })],
    expect: {
      steps: [
        { step: 3, outcome: 'EPERM' },
        { step: 5, outcome: 'ok' },
      ],
    },
  },
  {
    row: '13b',
    source: 'observed',
    title: 'a user XRSTOR with XSTATE_BV[18]=0 does not fault; with bit 18 it is a touch: SIGILL ILL_ILLOPC without permission, a silent expansion that loads the data with it',
    steps: [
      main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }),
      main('XRSTOR', { tileBits: 'none' }),
      main('XRSTOR', { tileBits: 'data' }),
      main('REQ_PERM', { feature: 18 }),
      main('XRSTOR', { tileBits: 'data' }),
      main('CHECK_TILES'),
    ],
    expect: {
      steps: [
        { step: 2, outcome: 'ok', si_code: null, tiles: 'init', buffer: 'default' },
        { step: 3, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: false, handler: 'skip', buffer: 'default' },
        { step: 5, outcome: 'ok', si_code: null, tiles: 'intact', buffer: 'large' },
        { step: 6, tiles: 'intact' },
      ],
    },
  },
];

function caseName(c: RowCase): string {
  return c.source === 'observed' ? `row ${c.row}: ${c.title}` : `semantics ${c.row}: ${c.title}`;
}

describe('observed-linux-6.18.md rows on the linux variant', () => {
  it.each(ROWS.map((c) => [caseName(c), c] as const))('%s', (_name, c) => {
    expectRun(runSteps(c.steps, 'linux'), c.expect);
  });
});

/**
 * Where the model still disagrees with the references: each case states the documented behaviour and
 * runs as `it.fails`, so it passes while the model diverges and turns red once the model is fixed
 * (then move it into ROWS). Listed in docs/uncovered-rows.md too.
 */
export const KNOWN_DIVERGENCES: readonly RowCase[] = [
  {
    row: 'E19',
    source: 'semantics',
    title: 'a group leader that exits before its threads stays a zombie and keeps its buffer until the group is gone',
    steps: [main('REQ_PERM', { feature: 18 }), main('LDTILECFG'), main('TOUCH'), main('CLONE_THREAD', { child: 'w' }), main('EXIT'), step('w', 'EXIT')],
    expect: {
      steps: [
        { step: 3, vmalloc: 1 },
        // arch_release_task_struct() runs when the zombie leader is released, after the last thread.
        { step: 5, outcome: 'ok', vmalloc: 1 },
        { step: 6, outcome: 'ok', vmalloc: 0 },
      ],
    },
  },
];

describe('known divergences (it.fails: green while the model still diverges)', () => {
  it.fails.each(KNOWN_DIVERGENCES.map((c) => [caseName(c), c] as const))('%s', (_name, c) => {
    expectRun(runSteps(c.steps, 'linux'), c.expect);
  });
});

/** Every row id of the summary table of observed-linux-6.18.md, plus the environment table ("env"). */
const OBSERVED_ROW_IDS = [
  'env',
  ...['1a', '1b', '1c', '1d', '1e', '1f', '1g', '1h', '1i', '1j', '1k'],
  ...['2a', '2b', '2c', '2d', '2e', '2f', '2g', '2h', '2i', '2j'],
  ...['3a', '3b', '3c', '3d', '3e', '3f'],
  ...['4a', '4b', '4c', '4d', '4e', '4f'],
  ...['5a', '5b', '5c', '5d', '5e', '5f', '5g'],
  ...['6a', '6b', '6c', '6d', '6e', '6f', '6g', '6h', '6i'],
  ...['7a', '7b', '7c', '7d', '7e'],
  '8',
  ...['9a', '9b', '9c'],
  ...['10a', '10b', '10c', '10d', '10e', '10f', '10g', '10h'],
  ...['11', '12', '13', '13b'],
] as const;

export interface UncoveredRow {
  readonly row: string;
  /** "partly" rows have a test case above for what the model does cover. */
  readonly coverage: 'none' | 'partly';
  readonly reason: string;
}

export const UNCOVERED_ROWS: readonly UncoveredRow[] = [
  { row: '1f', coverage: 'none', reason: 'NULL pointers (EFAULT) and the unknown code 0x1026 (EINVAL): the model has no pointer arguments and no op for unknown arch_prctl codes.' },
  { row: '1k', coverage: 'none', reason: 'uid 65534: the model has no credentials (permission needs no privilege, so it would repeat 1a).' },
  { row: '2d', coverage: 'partly', reason: 'The model has no handler that returns doing nothing; a request-permission handler whose request is refused stands in for it. The loop is one step that reports hang and leaves the thread stuck.' },
  { row: '2f', coverage: 'none', reason: 'SIGILL blocked with sigprocmask: the model has no signal mask (a forced signal makes it the default disposition).' },
  { row: '2g', coverage: 'none', reason: 'SIGILL set to SIG_IGN: the model has no ignore disposition (a forced signal makes it the default disposition).' },
  { row: '5e', coverage: 'partly', reason: 'The 2047-byte ENOMEM bound is not a size class; small, window and large are covered.' },
  { row: '5g', coverage: 'partly', reason: 'Race: model steps are atomic, so only the linearisations are checked, not the concurrent timing.' },
  { row: '6f', coverage: 'none', reason: 'Handler edits tmm0 in the frame: the model tracks tile data as init/intact/lost, not its bytes.' },
  { row: '6g', coverage: 'partly', reason: "The handler's own stack use (snprintf overflowing the 312 bytes left) is not modelled; the 11837-byte altstack is the window class." },
  { row: '6h', coverage: 'partly', reason: 'A 16 KiB altstack is not a size class; the smaller window class stands in for it.' },
  { row: '7d', coverage: 'none', reason: 'Forged PKRU bit (bit 9): the model tracks only the tile bits of XSTATE_BV.' },
  { row: '7e', coverage: 'none', reason: 'Forged sw xstate_size: no op edits it, and the model has no AVX state. The FX-only fallback itself is modelled where it arises by itself: a child forked in a handler returning through an inherited AMX frame (litmus/fork-inside-amx-handler.json).' },
  { row: '10a', coverage: 'none', reason: 'PTRACE_TRACEME/ATTACH and the signal-delivery-stop: the model has no tracer, only GETREGSET/SETREGSET on a task.' },
  { row: '10b', coverage: 'none', reason: 'Regset size 11008 and truncation: the model reports XSTATE_BV tile bits, not sizes or layout.' },
  { row: '10h', coverage: 'partly', reason: 'The 16384-byte length clamped to 11008 is not a length class; short (EFAULT) and full are covered.' },
  { row: '11', coverage: 'none', reason: 'Not reproducible on the measured kernel (no fault injection, buffer not memcg-charged); semantics E10 is tested instead.' },
  { row: '12', coverage: 'none', reason: 'Timings: the model has no time.' },
  { row: '13', coverage: 'none', reason: 'ld.so lazy binding (XSAVEC/XRSTOR without bit 18): no op; only explicit tile instructions are events.' },
  { row: '13b', coverage: 'partly', reason: 'User XRSTOR is the XRSTOR op; user XSAVE and XSAVEC (which never fault) have no op.' },
];

describe('row bookkeeping', () => {
  const covered = new Set(ROWS.filter((c) => c.source === 'observed').map((c) => c.row));
  const uncovered = new Map(UNCOVERED_ROWS.map((u) => [u.row, u]));

  it('every observed row is covered by a case or listed as uncovered, and nothing else is listed', () => {
    const accounted = new Set([...covered, ...uncovered.keys()]);
    expect([...accounted].sort()).toEqual([...OBSERVED_ROW_IDS].sort());
  });

  it('a row is tested iff it is not listed as wholly uncovered, and observed rows have one case each', () => {
    for (const u of UNCOVERED_ROWS) expect(covered.has(u.row), `row ${u.row} (${u.coverage})`).toBe(u.coverage === 'partly');
    const observed = ROWS.filter((c) => c.source === 'observed').map((c) => c.row);
    expect(observed.length).toBe(new Set(observed).size);
  });

  const doc = new URL('../../../shared/observed-linux-6.18.md', import.meta.url);
  it.skipIf(!existsSync(doc))('the row ids match the summary table of observed-linux-6.18.md', () => {
    const ids = readFileSync(doc, 'utf8')
      .split('\n')
      .map((line) => /^\| (\d+[a-z]?) \|/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    expect(['env', ...ids].sort()).toEqual([...OBSERVED_ROW_IDS].sort());
  });

  it('docs/uncovered-rows.md lists exactly UNCOVERED_ROWS', () => {
    const rows = readFileSync(new URL('../../docs/uncovered-rows.md', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => /^\| \d/.test(line))
      .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, '').trim()));
    expect(rows).toEqual(UNCOVERED_ROWS.map((u) => [u.row, u.coverage, u.reason]));
  });
});

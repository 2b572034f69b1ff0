// The reference rows of shared/observed-linux-6.18.md (Linux 6.18.44 on AMX hardware), one test case
// each, run through the `linux` variant; plus rows of linux-amx-semantics.md the observations leave open.
// The cases live in the litmus corpus (litmus/observed-*.json, litmus/semantics-*.json), which
// `amxstate conform` also runs on the kernel. Every expected value is copied from those documents,
// never from the model's own output.

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StepValue } from '../../src/scenario/format.js';
import { expectRun, runSteps, type RawStep } from '../support/scenario.js';
import { rowCases, type RowCase } from '../support/litmus.js';


const step = (task: string, op: string, fields: Readonly<Record<string, StepValue>> = {}): RawStep => ({ task, op, ...fields });
const main = (op: string, fields?: Readonly<Record<string, StepValue>>): RawStep => step('main', op, fields);

/** The rows, read from their litmus files (litmus/observed-*.json, litmus/semantics-*.json). */
export const ROWS: readonly RowCase[] = [...rowCases('observed-', 'spr-linux-6.18'), ...rowCases('semantics-', 'spr-linux-6.18')];

function caseName(c: RowCase): string {
  return c.source === 'observed' ? `row ${c.row}: ${c.title}` : `semantics ${c.row}: ${c.title}`;
}

describe('observed-linux-6.18.md rows on the linux variant', () => {
  it.each(ROWS.map((c) => [caseName(c), c] as const))('%s', (_name, c) => {
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
  { row: '2d', coverage: 'partly', reason: 'The model has no handler that returns doing nothing; a request-permission handler whose request is refused stands in for it. The loop is one step that reports hang and leaves the thread stuck; the stuck thread\'s one further step is the same instruction faulting again, the cycle of the lasso that violates `FaultingInstructionEventuallyCompletes` ([checking.md](checking.md#temporal-properties-and-lassos)).' },
  { row: '2f', coverage: 'none', reason: 'SIGILL blocked with sigprocmask: the model has no signal mask, which is per thread where dispositions are per process (a blocked forced signal is unblocked and reset to the default action, as an ignored one is: row 2g).' },
  { row: '5g', coverage: 'partly', reason: 'Race: model steps are atomic, so only the linearisations are checked, not the concurrent timing.' },
  { row: '6f', coverage: 'none', reason: 'Handler edits tmm0 in the frame: the model tracks tile data as init/intact/lost, not its bytes.' },
  { row: '6g', coverage: 'partly', reason: "The handler's own stack use (snprintf overflowing the 312 bytes left) is not modelled: the model counts a fixed handler allowance below each frame." },
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

// The rows of shared/observed-no-amx-6.18.md (Linux 6.18.44 on an Intel Xeon VM whose hypervisor hides
// AMX), one test case each, run through the `linux` variant on the `no-amx` platform profile. Every
// expected value is copied from that document (or, where it says so, from linux-amx-semantics.md or
// the Intel SDM), never from the model's own output.

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NO_AMX_LINUX_6_18, PLATFORMS, permissionRequestAltstackMinimum, sigaltstackRefusalLimitWhenPermitted } from '../../machines/platform.js';
import { VARIANT_NAMES } from '../../machines/variants.js';
import { expectRun, runSteps } from '../support/scenario.js';
import { rowCases, type RowCase } from '../support/litmus.js';


const PLATFORM = 'no-amx';
/** The rows, read from their litmus files (litmus/no-amx-*.json): one case per row. */
export const NO_AMX_ROWS: readonly RowCase[] = rowCases('no-amx-', PLATFORM).filter((c) => !c.derived);

/** Cases whose expected values also rest on a rule the no-AMX document does not measure. */
export const NO_AMX_DERIVED: readonly RowCase[] = rowCases('no-amx-', PLATFORM).filter((c) => c.derived);

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

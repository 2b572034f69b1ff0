// Platform profiles: the measured AMX machine unchanged, profiles made from a measurement
// (profileFromMeasurement), and how `--platform NAME|FILE|host` resolves (src/platform/resolve.ts).
// Expected numbers come from shared/observed-linux-6.18.md, and for the AMD EPYC host from the
// measurement of that machine quoted below; never from the model's output.

import { test as fcTest, fc } from '@fast-check/vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PLATFORM,
  NO_AMX_LINUX_6_18,
  PLATFORMS,
  SPR_LINUX_6_18,
  permissionRequestAltstackMinimum,
  profileFromMeasurement,
  sigaltstackRefusalLimitWhenPermitted,
  type PlatformProfile,
} from '../../machines/platform.js';
import { KernelUnavailableError } from '../../src/kernel/measure.js';
import type { PlatformMeasurement } from '../../machines/measurement.js';
import { PlatformUsageError, resolvePlatform } from '../../src/platform/resolve.js';
import { toScenario } from '../../src/scenario/format.js';
import { modelFor, simulate } from '../../src/simulate/simulate.js';
import { EPYC } from '../support/measurements.js';


/**
 * The AMX machine of observed-linux-6.18.md as a measurement would describe it: bitmaps (env), CPUID
 * 0xD (env: 11008 for XCR0, XTILEDATA 8192 B at 2816), AT_MINSIGSTKSZ 11952, smallest altstack 2048 (5e),
 * one default frame 3336 B (6a), two nested default frames 3336 + 4160 B (6h).
 */
const SPR: PlatformMeasurement = {
  kernel: '6.18.44-fc-v769',
  cpu: 'Intel(R) Xeon(R) Processor',
  amxTile: true,
  amxUsable: true,
  xcompSupported: '0x600e7',
  defaultPermission: '0x200e7',
  defaultGuestPermission: '0x200e7',
  requestPermission18: 'ok',
  cpuidXsave: { xcr0: '0x600e7', userSize: 11008, maxSize: 11008, xfd: true, tileConfig: { size: 64, offset: 2752 }, tileData: { size: 8192, offset: 2816 } },
  minSigStackSize: 11952,
  sigaltstackMinimum: 2048,
  strictSigaltstack: false,
  frameBytes: 3336,
  nestedFrameBytes: 3336 + 4160,
  kvm: true,
  root: true,
};

describe('spr-linux-6.18, the default profile, keeps the numbers of observed-linux-6.18.md', () => {
  it('is the default and a named platform', () => {
    expect(DEFAULT_PLATFORM).toBe(SPR_LINUX_6_18);
    expect(PLATFORMS['spr-linux-6.18']).toBe(SPR_LINUX_6_18);
  });

  it('bitmaps (env, 1a), XFEATURE_MAX (1e), AT_MINSIGSTKSZ and sizes (env, 5e), frames (6a, 6c), size classes', () => {
    const { name, description: _d, ...numbers } = SPR_LINUX_6_18;
    expect(name).toBe('spr-linux-6.18');
    expect(numbers).toEqual({
      amxUsable: true,
      xcompSupported: 0x600e7,
      defaultPermission: 0x200e7,
      xfeatureMax: 20,
      minSigStackSize: 11952,
      legacyMinSigStackSize: 2048,
      xstateMaxUserSize: 11008,
      fpuDefaultStateSize: 11008 + 4 + 112,
      frameBytes: { default: 3336, large: 11528 },
      handlerStackBytes: 512,
      altstackBytes: { small: 4096, window: 11902, large: 23904 },
    });
  });

  it('5a and 5f: REQ needs an altstack of at least 11952, sigaltstack() after the grant refuses up to 11836', () => {
    expect(permissionRequestAltstackMinimum(SPR_LINUX_6_18)).toBe(11952);
    expect(sigaltstackRefusalLimitWhenPermitted(SPR_LINUX_6_18)).toBe(11836);
  });
});

describe('profileFromMeasurement', () => {
  it('makes the AMD EPYC host a profile without AMX', () => {
    const p = profileFromMeasurement(EPYC);
    const { description, measurement, ...numbers } = p;
    expect(numbers).toEqual({
      name: 'host',
      amxUsable: false,
      xcompSupported: 0x207,
      defaultPermission: 0x207,
      xfeatureMax: 20,
      minSigStackSize: 3376,
      legacyMinSigStackSize: 2048,
      xstateMaxUserSize: 2440,
      fpuDefaultStateSize: 2440 + 4 + 112,
      // No AMX: no frame grows.
      frameBytes: { default: 2900, large: 2900 },
      handlerStackBytes: 6300 - 2 * 2900,
      // small = max(2048, min(4096, 3376 - 100)), window = 3376 - 50, large = 2 x 3376.
      altstackBytes: { small: 3276, window: 3326, large: 6752 },
    });
    expect(description).toContain('AMD EPYC');
    expect(description).toContain('6.18.44');
    expect(measurement).toEqual(EPYC);
    expect(profileFromMeasurement(EPYC, 'epyc').name).toBe('epyc');
  });

  it('predicts for the EPYC host what it measured: bitmaps 0x207, REQ_PERM(18) EOPNOTSUPP, tile instructions #UD', () => {
    const scenario = toScenario({
      steps: [
        { task: 'main', op: 'GET_SUPP' },
        { task: 'main', op: 'GET_GUEST_PERM' },
        { task: 'main', op: 'REQ_PERM', feature: 18 },
        { task: 'main', op: 'SET_DISPOSITION', signal: 'SIGILL', handler: 'skip' },
        { task: 'main', op: 'LDTILECFG' },
        { task: 'main', op: 'TOUCH' },
      ],
    });
    const o = simulate(scenario, modelFor('linux', profileFromMeasurement(EPYC))).observations;
    expect(o.map((x) => [x.outcome, x.bitmap ?? x.si_code ?? null])).toEqual([
      ['ok', EPYC.xcompSupported],
      ['ok', EPYC.defaultGuestPermission],
      [EPYC.requestPermission18, null],
      ['ok', null],
      ['SIGILL', 'ILL_ILLOPN'],
      ['SIGILL', 'ILL_ILLOPN'],
    ]);
  });

  it('rebuilds the AMX machine from its measurements: only the handler stack differs (the nested frames of 6h leave 824 bytes, the profile assumes 512)', () => {
    const p = profileFromMeasurement(SPR, 'spr-measured');
    const strip = ({ name: _n, description: _d, measurement: _m, handlerStackBytes: _h, ...rest }: PlatformProfile) => rest;
    expect(strip(p)).toEqual(strip(SPR_LINUX_6_18));
    // 6c: an AMX frame is 11528 = 3336 + the 8192 bytes of XTILEDATA.
    expect(p.frameBytes.large).toBe(11528);
    expect(p.handlerStackBytes).toBe(824);
  });

  it('counts 8192 bytes of tile data when CPUID does not describe them, and never a negative handler stack', () => {
    const p = profileFromMeasurement({ ...SPR, cpuidXsave: { ...SPR.cpuidXsave, tileData: null }, nestedFrameBytes: 5000 });
    expect(p.frameBytes).toEqual({ default: 3336, large: 3336 + 8192 });
    expect(p.handlerStackBytes).toBe(0);
  });

  const measurementArb = fc
    .record({
      amxUsable: fc.boolean(),
      userSize: fc.integer({ min: 512, max: 16384 }),
      legacy: fc.integer({ min: 1024, max: 4096 }),
      extra: fc.integer({ min: 100, max: 20000 }),
      frameBytes: fc.integer({ min: 600, max: 16000 }),
      nested: fc.integer({ min: 0, max: 40000 }),
      tileData: fc.option(fc.integer({ min: 1024, max: 16384 }), { nil: null }),
    })
    .map(
      (r): PlatformMeasurement => ({
        ...EPYC,
        amxUsable: r.amxUsable,
        cpuidXsave: { ...EPYC.cpuidXsave, userSize: r.userSize, tileData: r.tileData === null ? null : { size: r.tileData, offset: 2816 } },
        sigaltstackMinimum: r.legacy,
        minSigStackSize: r.legacy + r.extra,
        frameBytes: r.frameBytes,
        nestedFrameBytes: r.nested,
      }),
    );

  fcTest.prop([measurementArb])('gives ordered size classes around AT_MINSIGSTKSZ, and helpers that read the profile', (m) => {
    const p = profileFromMeasurement(m);
    const { small, window, large } = p.altstackBytes;
    expect(small).toBeGreaterThanOrEqual(p.legacyMinSigStackSize);
    expect(small).toBeLessThanOrEqual(window);
    expect(window).toBeLessThan(p.minSigStackSize);
    expect(large).toBe(2 * p.minSigStackSize);
    expect(p.frameBytes.large).toBeGreaterThanOrEqual(p.frameBytes.default);
    expect(p.frameBytes.large === p.frameBytes.default).toBe(!m.amxUsable);
    expect(p.handlerStackBytes).toBeGreaterThanOrEqual(0);
    expect(permissionRequestAltstackMinimum(p)).toBe(m.minSigStackSize);
    expect(sigaltstackRefusalLimitWhenPermitted(p)).toBe(m.minSigStackSize - 116);
  });
});

describe('resolvePlatform', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amxstate-platform-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('returns the named profiles themselves', () => {
    expect(resolvePlatform('spr-linux-6.18')).toBe(SPR_LINUX_6_18);
    expect(resolvePlatform('no-amx')).toBe(NO_AMX_LINUX_6_18);
  });

  it('reads a measurement file, bare or as the `measurement` field of an object', () => {
    const bare = resolvePlatform(file('bare.json', JSON.stringify(EPYC)));
    const wrapped = resolvePlatform(file('wrapped.json', JSON.stringify({ host: 'x', measurement: EPYC })));
    for (const p of [bare, wrapped]) {
      expect(p.amxUsable).toBe(false);
      expect(p.xcompSupported).toBe(0x207);
      expect(p.measurement).toEqual(EPYC);
      expect(p.name).toMatch(/^file:/);
    }
  });

  it.each([
    ['nope', /"nope" is neither a platform \(spr-linux-6\.18, no-amx, host\) nor a readable file/],
    ['{', /malformed JSON/],
    ['[1]', /expected a platform measurement/],
    [JSON.stringify({ ...EPYC, minSigStackSize: '3376' }), /field "minSigStackSize" must be a number/],
    [JSON.stringify({ ...EPYC, xcompSupported: '207' }), /field "xcompSupported" must be a hex bitmap/],
    [JSON.stringify({ ...EPYC, cpuidXsave: { ...EPYC.cpuidXsave, tileData: 8192 } }), /cpuidXsave\.tileData/],
  ])('refuses %s with a usage error', (content, message) => {
    const arg = content === 'nope' ? join(dir, 'nope') : file(`bad-${Math.random().toString(36).slice(2)}.json`, content);
    expect(() => resolvePlatform(content === 'nope' ? 'nope' : arg)).toThrow(PlatformUsageError);
    expect(() => resolvePlatform(content === 'nope' ? 'nope' : arg)).toThrow(message);
  });

  it('measures this machine for `host`, or says that it cannot', { timeout: 120_000 }, () => {
    try {
      const p = resolvePlatform('host');
      expect(p.name).toBe('host');
      expect(p.measurement).toBeDefined();
      expect(p.amxUsable).toBe(p.measurement!.amxUsable);
    } catch (e) {
      expect(e).toBeInstanceOf(KernelUnavailableError);
    }
  });
});

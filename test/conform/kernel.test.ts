// Conformance on the running kernel: the generated suite and the litmus corpus through the native
// executor, against the model of this machine as measured. Skips, with one line, where the executor
// cannot run (not Linux on x86-64, or no C compiler); a machine without AMX is no reason to skip.

import { readdirSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { PLATFORMS, profileFromMeasurement, type PlatformProfile } from '../../machines/platform.js';
import { runCase } from '../../src/conform/conform.js';
import { generatedCases, litmusCases } from '../../src/conform/inputs.js';
import { ensureExecutor, runExecutor } from '../../src/kernel/executor.js';
import { executorUnavailable } from '../support/kernel.js';
import { measureHost } from '../../src/kernel/measure.js';
import type { PlatformMeasurement } from '../../machines/measurement.js';
import { toScenario } from '../../src/scenario/format.js';
import { generateSuite } from '../../src/paths/suite.js';
import { CONFIGS } from '../../src/explore/config.js';


const unavailable = executorUnavailable();
if (unavailable) console.log(`kernel conformance skipped: ${unavailable}`);

/** The auxiliary vector entry AT_MINSIGSTKSZ (51) of this very process, read without the executor. */
function auxvMinSigStackSize(): number {
  const auxv = readFileSync('/proc/self/auxv');
  for (let i = 0; i + 16 <= auxv.length; i += 16) if (auxv.readBigUInt64LE(i) === 51n) return Number(auxv.readBigUInt64LE(i + 8));
  return 0;
}

/** The processes whose executable is the executor: none may outlive a run. */
function executorProcesses(binary: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^[0-9]+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === binary;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.skipIf(unavailable !== undefined)('the kernel of this machine', () => {
  const host: PlatformMeasurement = unavailable ? ({} as PlatformMeasurement) : measureHost();
  const platform: PlatformProfile = unavailable ? ({} as PlatformProfile) : profileFromMeasurement(host);

  it('is measured as the kernel itself says (uname, /proc/cpuinfo, the auxiliary vector)', () => {
    expect(host.kernel).toBe(release());
    expect(host.amxTile).toBe(/\samx_tile(\s|$)/m.test(readFileSync('/proc/cpuinfo', 'utf8')));
    expect(host.minSigStackSize).toBe(auxvMinSigStackSize());
    // ARCH_GET_XCOMP_SUPP bit 18 and the request answer agree with each other.
    expect(host.amxUsable).toBe((Number.parseInt(host.xcompSupported, 16) & (1 << 18)) !== 0);
    expect(host.requestPermission18).toBe(host.amxUsable ? 'ok' : 'EOPNOTSUPP');
  });

  it('agrees with the model on every scenario of the generated transition suite', () => {
    const results = generatedCases().map((c) => runCase(c, platform, host, { stepTimeoutMs: 2000 }));
    expect(results.filter((r) => r.status === 'diverge').map((r) => ({ id: r.id, divergence: r.divergence, error: r.executorError }))).toEqual([]);
    // Most steps are made on the kernel, not skipped as model-only.
    const steps = results.reduce((n, r) => n + r.steps, 0);
    const compared = results.reduce((n, r) => n + r.compared, 0);
    expect(compared / steps).toBeGreaterThan(0.8);
  });

  it('agrees with the model on every scenario of the transition-pair suite', () => {
    const cases = generateSuite('linux', CONFIGS['default']!, 'transition-pair').tests.map((t) => ({ id: t.scenario.header.id, scenario: toScenario(t.scenario) }));
    expect(cases.length).toBeGreaterThan(100);
    const results = cases.map((c) => runCase(c, platform, host, { stepTimeoutMs: 2000 }));
    expect(results.filter((r) => r.status === 'diverge').map((r) => ({ id: r.id, divergence: r.divergence }))).toEqual([]);
  });

  it('agrees with the model on every litmus test', () => {
    const results = litmusCases().map((c) => runCase(c, platform, host, { stepTimeoutMs: 2000 }));
    expect(results.length).toBeGreaterThanOrEqual(12);
    expect(results.filter((r) => r.status === 'diverge').map((r) => ({ id: r.id, divergence: r.divergence }))).toEqual([]);
  });

  it('finds the divergence when the model predicts another machine', () => {
    // The AMX profile on a machine without AMX, or the reverse: the very first GET_PERM differs.
    const other = PLATFORMS[host.amxUsable ? 'no-amx' : 'spr-linux-6.18']!;
    const [c] = litmusCases().filter((l) => l.id === 'perm-request');
    const r = runCase(c!, other, host, { stepTimeoutMs: 2000 });
    expect(r.status).toBe('diverge');
    expect(r.divergence?.step).toBe(1);
    expect(r.divergence?.fields).toContain('bitmap');
  });

  it('reports an endless refault as a hang within the bound, and leaves nothing running', () => {
    const binary = ensureExecutor();
    const steps = [
      { task: 'main', op: 'SIGALTSTACK', size: 'small' },
      { task: 'main', op: 'SET_DISPOSITION', signal: 'SIGILL', handler: 'request-permission' },
      { task: 'main', op: 'CLONE_THREAD', child: 'spinner' },
      { task: 'spinner', op: 'LDTILECFG', palette: 1 },
      { task: 'spinner', op: 'TOUCH' },
      { task: 'main', op: 'GET_PERM' },
    ];
    const r = runCase({ id: 'hostile-refault', scenario: toScenario({ steps }) }, platform, host, { stepTimeoutMs: 2000 });
    expect(r.status).toBe('agree');
    expect(r.wallMs).toBeLessThan(3000);
    expect(executorProcesses(binary)).toEqual([]);
  });

  it('ends a scenario that kills itself, and one whose step never answers, with nothing left running', () => {
    const binary = ensureExecutor();
    // A VFORK parent asked to act while it waits for its child: the step cannot answer (a deadlock).
    const input = ['TASK 0 "main"', 'TASK 1 "kid"', 'TIMEOUT 300', 'STEP 1 VFORK 0 - child=1', 'STEP 2 GET_PERM 0 -', 'STEP 3 LDTILECFG 1 - palette=1', ''].join('\n');
    const run = runExecutor(input, 10_000);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { step: number; outcome: string });
    expect(lines.map((l) => l.outcome)).toEqual(['ok', 'timeout', host.amxUsable ? 'ok' : 'SIGILL']);
    expect(executorProcesses(binary)).toEqual([]);
  });

  it('ends a scenario that forks as many processes as it may, with nothing left running', () => {
    const binary = ensureExecutor();
    const steps = [{ task: 'p0', op: 'GET_PERM' }, ...Array.from({ length: 40 }, (_, i) => ({ task: `p${i}`, op: 'FORK', child: `p${i + 1}` })), { task: 'p40', op: 'GET_PERM' }];
    const r = runCase({ id: 'hostile-forks', scenario: toScenario({ steps }) }, platform, host, { stepTimeoutMs: 2000 });
    expect(r.status).toBe('agree');
    expect(r.compared).toBe(42);
    expect(executorProcesses(binary)).toEqual([]);
  });
});

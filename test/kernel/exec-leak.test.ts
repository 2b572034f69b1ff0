// The exec-leak measurement: how a measurement is read (with the figures of observed row 9c), what the
// two variants predict, and the command on this machine (exit 3 where AMX is not usable).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { judgeExecLeak, predictedLeaks, type ExecLeakMeasurement } from '../../src/kernel/exec-leak.js';
import { executorUnavailable } from '../support/kernel.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('reading an exec-leak measurement', () => {
  it('row 9c as measured (+50 fpstate areas after 50 touch+exec, +0 after touch+exit) is a leak', () => {
    expect(judgeExecLeak({ amxUsable: true, execs: 50, vmallocUsedKb: [1000, 1600, 1600], fpstateAreas: [3, 53, 53] })).toEqual({
      orphaned: 50,
      control: 0,
      basis: 'fpstate areas',
      verdict: 'exec leaks',
    });
  });

  it('without root, VmallocUsed gives the count: row 9c saw +600 kB per 50 execs', () => {
    expect(judgeExecLeak({ amxUsable: true, execs: 50, vmallocUsedKb: [1000, 1600, 1604], fpstateAreas: null })).toMatchObject({ orphaned: 50, verdict: 'exec leaks', basis: 'VmallocUsed' });
  });

  it('a kernel that frees at exec, and a control that leaks too, read as such', () => {
    expect(judgeExecLeak({ amxUsable: true, execs: 50, fpstateAreas: [3, 3, 4] })?.verdict).toBe('exec frees');
    expect(judgeExecLeak({ amxUsable: true, execs: 50, fpstateAreas: [3, 53, 103] })?.verdict).toBe('inconclusive');
    expect(judgeExecLeak({ amxUsable: false, execs: 0 })).toBeNull();
  });

  it('the AMX machine of 2026-12-04 (docs/conformance/selftest-runs, amxexec --exec-leak 50 as root) leaked one buffer per exec, as linux predicts', () => {
    const file = join(ROOT, 'docs/conformance/selftest-runs/2026-12-04-intel-xeon-amx-6-18-44-fc-v1252-gpu-exec-leak.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as ExecLeakMeasurement;
    const judged = judgeExecLeak(m);
    expect(judged).toMatchObject({ basis: 'fpstate areas', verdict: 'exec leaks', control: 0 });
    expect(judged?.orphaned).toBe(predictedLeaks('linux', m.execs));
    expect(judged?.orphaned).not.toBe(predictedLeaks('linux-fixed', m.execs));
  });

  it('linux orphans one buffer per touch+exec (row 9c), linux-fixed none', () => {
    expect(predictedLeaks('linux', 7)).toBe(7);
    expect(predictedLeaks('linux-fixed', 7)).toBe(0);
  });
});

const amx = /\samx_tile(\s|$)/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
const unavailable = executorUnavailable();

describe.skipIf(unavailable !== undefined)('amxstate exec-leak on this machine', () => {
  it(amx ? 'measures at most 50 execs and says which variant the kernel agrees with' : 'says in one line that AMX is not usable here, and exits 3', () => {
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src/cli/main.ts'), 'exec-leak', '--execs', '5'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout).toMatch(/^model: 5 touch\+exec children orphan 5 buffers on linux, 0 on linux-fixed$/m);
    if (amx) {
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^(exec leaks|exec frees|inconclusive): the kernel agrees with /m);
    } else {
      expect(r.status).toBe(3);
      expect(r.stderr).toBe('amxstate: exec-leak: AMX is not usable on this machine, so there is no buffer to leak: nothing was measured\n');
    }
  });
});

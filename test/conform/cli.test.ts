// `amxstate conform` and `amxstate platform` as a user runs them: exit statuses, the summary, JUnit.
// Runs the sources through tsx, so it never reads a dist/ that another test file is rebuilding.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { disabledAltstackLauncher, executorUnavailable } from '../support/kernel.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const unavailable = executorUnavailable();
const dir = mkdtempSync(join(tmpdir(), 'amxstate-conform-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function amxstate(...args: string[]) {
  const r = spawnSync(TSX, [join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('amxstate conform, bad input', () => {
  it('exits 2 with one line for a scenario file that does not exist', () => {
    const r = amxstate('conform', 'no-such-file.json');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('amxstate: conform: cannot read no-such-file.json: ENOENT\n');
    expect(r.stdout).toBe('');
  });

  it('exits 2 for a bad --step-timeout and an unknown --platform', () => {
    expect(amxstate('conform', '--step-timeout', '0x10').status).toBe(2);
    const r = amxstate('conform', 'litmus/perm-request.json', '--platform', 'zen9');
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});

describe.skipIf(unavailable !== undefined)('amxstate conform on this kernel', () => {
  it('prints the machine, one line per scenario and 100% agreement, and exits 0', () => {
    const junit = join(dir, 'out', 'conform.xml');
    const r = amxstate('conform', 'litmus', '--junit', junit);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Linux ${release()}`);
    expect(r.stdout).toMatch(/^agree {3}perm-request {2}4\/4 steps$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe("100% agreement with the model's prediction for this machine");
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)?.length).toBe(readdirSync(join(ROOT, 'litmus')).filter((f) => f.endsWith('.json')).length);
    expect(xml).toContain('failures="0"');
  });

  it('exits 1 and shows both observations when the model predicts another machine', () => {
    const amx = /\samx_tile(\s|$)/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
    const r = amxstate('conform', 'litmus/perm-request.json', '--platform', amx ? 'no-amx' : 'spr-linux-6.18');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^DIVERGE perm-request/m);
    expect(r.stdout).toMatch(/step 1 GET_PERM by "main": bitmap differ/);
    expect(r.stdout).toMatch(/model : ok, bitmap 0x/);
    expect(r.stdout).toMatch(/kernel: ok, bitmap 0x/);
  });

  it('exits 3 with one line, comparing nothing, when started under an inherited SS_DISABLE', () => {
    // The flags reach the executor through exec and fork, and a sigreturn there would then remove
    // altstacks the model's first thread keeps.
    const launcher = disabledAltstackLauncher(dir);
    const r = spawnSync(launcher, [TSX, join(ROOT, 'src/cli/main.ts'), 'conform', 'litmus/altstack-autodisarm.json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/\namxstate: this process inherited altstack flags \(SS_DISABLE or SS_AUTODISARM\)[^\n]*\n$/);
    expect(r.stdout).toBe('');
  });

  it('amxstate platform --json is the measurement, field by field', () => {
    const r = amxstate('platform', '--json');
    expect(r.status).toBe(0);
    const m = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(m['kernel']).toBe(release());
    expect(Object.keys(m).sort()).toEqual(
      ['amxTile', 'amxUsable', 'cpu', 'cpuidXsave', 'defaultGuestPermission', 'defaultPermission', 'frameBytes', 'kernel', 'kvm', 'minSigStackSize', 'nestedFrameBytes', 'requestPermission18', 'root', 'sigaltstackMinimum', 'strictSigaltstack', 'xcompSupported'].sort(),
    );
  });
});

// The emitted kernel selftests: plain make builds them, they run without Node, they pass on this
// machine (with the expectations for its kind, AMX or not), and they fail where the model is wrong.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatedCases, litmusCases } from '../../src/conform/inputs.js';
import { emitKselftest } from '../../src/kselftest/emit.js';
import { disabledAltstackLauncher, executorUnavailable } from '../support/kernel.js';

function makeUnavailable(): string | undefined {
  const r = spawnSync('make', ['--version'], { encoding: 'utf8' });
  return r.error ? 'no make on this machine' : executorUnavailable();
}

const unavailable = makeUnavailable();
if (unavailable) console.log(`kselftest build skipped: ${unavailable}`);
const dir = mkdtempSync(join(tmpdir(), 'amxstate-kselftest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** make in the folder, with nothing from this project on the PATH or in the environment. */
function build(): { status: number | null; output: string } {
  const r = spawnSync('make', ['-s'], { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  return { status: r.status, output: r.stdout + r.stderr };
}

function run(launcher?: string): { status: number | null; stdout: string } {
  const [program, args] = launcher ? [launcher, ['./amx_model_test']] : ['./amx_model_test', []];
  const r = spawnSync(program, args, { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout };
}

describe.skipIf(unavailable !== undefined)('amxstate paths --emit kselftest', () => {
  const cases = [...generatedCases(), ...litmusCases()];

  it('builds with plain make and passes here, in KTAP', () => {
    expect(emitKselftest(cases, dir, 'test')).toBe(cases.length);
    expect(build().status).toBe(0);
    const r = run();
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('TAP version 13');
    expect(lines).toContain(`1..${cases.length}`);
    const results = lines.filter((l) => /^(not )?ok \d+ /.test(l));
    expect(results).toHaveLength(cases.length);
    expect(results.filter((l) => l.startsWith('not ok'))).toEqual([]);
    // Only scenarios whose every step is model-only are skipped, and they say why.
    for (const l of results.filter((x) => x.includes('# SKIP'))) expect(l).toMatch(/model-only/);
  });

  it('skips the whole suite, saying why, when started under an inherited SS_DISABLE', () => {
    const r = run(disabledAltstackLauncher(dir));
    expect(r.status).toBe(4);
    expect(r.stdout).toMatch(/^1\.\.0 # SKIP this process inherited altstack flags \(SS_DISABLE or SS_AUTODISARM\)/m);
    expect(r.stdout).not.toMatch(/^(not )?ok /m);
  });

  it('fails, naming the test and the field, where the prediction is wrong', () => {
    const file = join(dir, 'amx_model_test.c');
    const source = readFileSync(file, 'utf8');
    // perm-request's first step is GET_PERM of a fresh process: claim it already holds AMX.
    const at = source.indexOf('"perm-request"');
    const end = source.indexOf('\n  {', at);
    const doctored = source.slice(0, at) + source.slice(at, end).replace(/\\"bitmap\\":\\"\$PERM\\"/g, '\\"bitmap\\":\\"$PERM_AMX\\"') + source.slice(end);
    expect(doctored).not.toBe(source);
    writeFileSync(file, doctored);
    expect(build().status).toBe(0);
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^# bitmap: expected "0x[0-9a-f]+", got "0x[0-9a-f]+"$/m);
    expect(r.stdout).toMatch(/^not ok \d+ perm-request$/m);
    expect(r.stdout).toMatch(/^# Totals: pass:\d+ fail:1 /m);
  });
});

// The emitted kernel selftests: plain make builds them, they run without Node, they pass on this
// machine (with the expectations for its kind, AMX or not), and they fail where the model is wrong.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatedCases, litmusCases } from '../../src/conform/inputs.js';
import { emitKselftest, KSELFTEST_PLATFORMS } from '../../src/kselftest/emit.js';
import { readSelftestOutput } from '../../src/kselftest/selftest-output.js';
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

function run(launcher?: string, options: string[] = []): { status: number | null; stdout: string } {
  const [program, args] = launcher ? [launcher, ['./amx_model_test', ...options]] : ['./amx_model_test', options];
  const r = spawnSync(program, args, { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout };
}

describe.skipIf(unavailable !== undefined)('amxstate paths --emit kselftest', () => {
  const cases = [...generatedCases(), ...litmusCases()];

  it('builds with plain make and passes here, in KTAP', () => {
    expect(emitKselftest(cases, dir, 'test')).toBe(cases.length);
    const built = build();
    expect(built.status).toBe(0);
    expect(built.output).not.toMatch(/warning/i);
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

  it('with -v, lists every step the kernel made, and amxstate reads that back as the run conform makes', () => {
    const r = run(undefined, ['-v']);
    expect(r.status).toBe(0);
    const { run: read } = readSelftestOutput(r.stdout, 'out.ktap');
    expect(read.host.kernel).toBe(release());
    expect(read.suite).toBe('test');
    expect(read.platform).toBe(KSELFTEST_PLATFORMS[read.host.amxUsable ? 1 : 0].name);
    expect(read.results.map((c) => [c.id, c.steps])).toEqual(cases.map((c) => [c.id, c.scenario.steps.length]));
    expect(read.summary).toMatchObject({ scenarios: cases.length, diverge: 0, stepsCompared: r.stdout.match(/^# step: /gm)?.length });
    // Model-only steps say why, and never that a machine lacks /dev/kvm: the selftests make no vCPU anywhere.
    for (const c of read.results.filter((x) => x.modelOnly)) expect(c.modelOnly!.why).not.toMatch(/no \/dev\/kvm/);
  });

  it('refuses an unknown argument with its usage, exit 1', () => {
    const r = spawnSync('./amx_model_test', ['--verbose'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^usage: \.\/amx_model_test \[-v\]/);
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

// The output of `amx_model_test -v` read back as a conformance run (`amxstate conform --from-selftest`):
// the committed outputs of machines with AMX against their records, and outputs that are cut short,
// not verbose, or not the harness's, each refused in one line.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRecordedRuns } from '../../src/conform/record.js';
import { readSelftestOutput } from '../../src/kselftest/selftest-output.js';
import { InputError } from '../../src/scenario/read.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RECORDS = join(ROOT, 'docs', 'conformance');
const OUTPUTS = join(RECORDS, 'selftest-runs');
const verboseOutputs = readdirSync(OUTPUTS)
  .filter((f) => f.endsWith('.ktap'))
  .map((f) => ({ file: f, text: readFileSync(join(OUTPUTS, f), 'utf8') }))
  .filter((o) => o.text.includes('\n# step: '));
const amxOutput = verboseOutputs.find((o) => o.text.includes('"amxUsable":true') && o.text.includes('# suite: paths --config default --criterion transition,'));
const dir = mkdtempSync(join(tmpdir(), 'amxstate-selftest-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(text: string): string {
  try {
    readSelftestOutput(text, 'out.ktap');
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  return 'read without complaint';
}

describe('outputs of amx_model_test -v committed under docs/conformance/selftest-runs', () => {
  it('hold a run on a machine with AMX', () => {
    expect(amxOutput).toBeDefined();
  });

  it.each(verboseOutputs.map((o) => [o.file, o.text] as const))('%s is what its record in docs/conformance says', (_, text) => {
    const { run } = readSelftestOutput(text, 'out.ktap');
    const record = loadRecordedRuns(RECORDS).find((r) => r.via !== undefined && r.suite === run.suite && r.host.kernel === run.host.kernel && r.host.cpu === run.host.cpu);
    expect(record).toBeDefined();
    const { date: _date, settled: _settled, ...asRead } = record!;
    expect(asRead).toEqual(run);
    // The summary counts what the output shows: one result line per test, one "# step:" line per step made.
    expect(run.summary.scenarios).toBe(text.match(/^(not )?ok \d+ /gm)?.length);
    expect(run.summary.stepsCompared).toBe(text.match(/^# step: /gm)?.length);
  });
});

describe.skipIf(amxOutput === undefined)('reading an output', () => {
  const text = amxOutput?.text ?? '';

  it('a failed test is a divergence, with the differing field and both observations', () => {
    const model = '{"step":1,"op":"GET_PERM","task":"main","outcome":"ok","bitmap":"$PERM_AMX"}';
    const kernel = '{"step":1,"op":"GET_PERM","task":"main","outcome":"ok","bitmap":"0x202e7"}';
    const doctored = text
      .replace(/^((?:# step: .*\n)*# wall: .*\n)ok (\d+) perm-request$/m, `# bitmap: expected "0x602e7", got "0x202e7"\n# model : ${model}\n# kernel: ${kernel}\nnot ok $2 perm-request`)
      .replace(/^# Totals: pass:(\d+) fail:0/m, (_, pass: string) => `# Totals: pass:${Number(pass) - 1} fail:1`);
    const { run } = readSelftestOutput(doctored, 'doctored.ktap');
    expect(run.summary.diverge).toBe(1);
    const diverged = run.results.find((r) => r.status === 'diverge');
    expect(diverged).toMatchObject({ id: 'perm-request', compared: 1, divergence: { step: 1, fields: ['bitmap'], model: JSON.parse(model), kernel: JSON.parse(kernel) } });
  });

  it('refuses an output cut short, without -v, without its machine, or of another program, in one line', () => {
    const cases: [string, RegExp][] = [
      [text.split('\n').slice(0, -10).join('\n'), /tests planned, \d+ reported.*cut short/],
      [text.replace(/^# (step|wall): .*\n/gm, ''), /run amx_model_test -v/],
      [text.replace(/^# host: .*\n/m, ''), /no "# host:" line/],
      ['{"steps":[]}\n', /not the output of amx_model_test/],
      ['TAP version 13\n1..0 # SKIP this kernel has no ARCH_GET_XCOMP_SUPP\n', /the selftests were skipped: this kernel has no ARCH_GET_XCOMP_SUPP/],
      [text.replace(/^# Totals: pass:(\d+)/m, '# Totals: pass:1'), /does not count the \d+ results/],
    ];
    for (const [output, why] of cases) {
      const m = refusal(output);
      expect(m).toMatch(why);
      expect(m).not.toContain('\n');
    }
  });
});

describe.skipIf(amxOutput === undefined)('amxstate conform --from-selftest', () => {
  const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
  const amxstate = (...args: string[]) => spawnSync(TSX, [join(ROOT, 'src/cli/main.ts'), 'conform', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const file = join(OUTPUTS, amxOutput?.file ?? '');

  it('reports the run made on the AMX machine, and records it under the day of the run', () => {
    const r = amxstate('--from-selftest', file, '--record', dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^amxstate conform: Linux \S+ on .*; AMX usable: yes/);
    expect(r.stdout).toMatch(/^made by amx_model_test -v/m);
    expect(r.stdout).toMatch(/^predicting with platform spr-linux-6\.18: /m);
    const [recorded] = readdirSync(dir);
    // The suite names the file: one machine's runs of several suites on one day are records apart.
    expect(recorded).toMatch(/-amx-.*-default-transition\.json$/);
    const { run, date } = readSelftestOutput(readFileSync(file, 'utf8'), 'out.ktap');
    expect(JSON.parse(readFileSync(join(dir, recorded!), 'utf8'))).toMatchObject({ ...(date ? { date } : {}), summary: run.summary, settled: [] });
  });

  it('exits 1 on a divergence, 2 on a bad file or a PATH beside it', () => {
    const failed = join(dir, 'failed.ktap');
    writeFileSync(
      failed,
      readFileSync(file, 'utf8')
        .replace(/^ok (\d+) perm-request$/m, '# bitmap: expected "0x1", got "0x2"\n# model : {"step":1,"op":"GET_PERM","outcome":"ok"}\n# kernel: nothing (the executor stopped)\nnot ok $1 perm-request')
        .replace(/^# Totals: pass:(\d+) fail:0/m, (_, pass: string) => `# Totals: pass:${Number(pass) - 1} fail:1`),
    );
    const diverged = amxstate('--from-selftest', failed);
    expect(diverged.status).toBe(1);
    expect(diverged.stdout).toMatch(/^DIVERGE perm-request/m);
    const notTap = amxstate('--from-selftest', join(ROOT, 'package.json'));
    expect(notTap.status).toBe(2);
    expect(notTap.stderr).toMatch(/^amxstate: conform: .*package\.json: not the output of amx_model_test.*\n$/);
    expect(amxstate('--from-selftest', file, 'litmus').status).toBe(2);
    expect(amxstate('--from-selftest', file, '--platform', 'no-amx').status).toBe(2);
  });
});

// native/altstack-probe.c on the kernel at hand: its answers must still be the recorded ones
// (test/fixtures/altstack-probe-linux-6.18.jsonl, which test/model/altstack.test.ts takes its expected
// values from). Sizes that depend on the CPU's frame are checked against this machine's measurement:
// the smallest altstack a frame is delivered on is one byte more than the frame the executor measures.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { measureHost } from '../../src/kernel/measure.js';
import { executorUnavailable } from '../support/kernel.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const why = executorUnavailable();
const scratch = mkdtempSync(join(tmpdir(), 'altstack-probe-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Answer = Record<string, string | number | boolean>;
const parse = (text: string): Answer[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Answer);

/** Answers whose values depend on the CPU's signal frame size, not on the kernel's rules. */
const frameDependent = (a: Answer) => /^AT_MINSIGSTKSZ$|^smallest altstack|^deliver SIGUSR1 SA_ONSTACK on (?!2048 )/.test(String(a['probe']));

describe.skipIf(why !== undefined)('altstack-probe on this kernel', () => {
  const binary = join(scratch, 'altstack-probe');
  const built = spawnSync(process.env['CC'] ?? 'cc', ['-O1', '-pthread', '-o', binary, join(ROOT, 'native', 'altstack-probe.c')], { encoding: 'utf8' });
  const run = built.status === 0 ? spawnSync(binary, [], { encoding: 'utf8', timeout: 30_000 }) : undefined;
  const answers = parse(run?.stdout ?? '');
  const recorded = parse(readFileSync(join(ROOT, 'test', 'fixtures', 'altstack-probe-linux-6.18.jsonl'), 'utf8'));

  it('gives the recorded answers about the kernel rules', () => {
    expect(built.stderr).toBe('');
    expect(run?.status).toBe(0);
    expect(answers.filter((a) => !frameDependent(a))).toEqual(recorded.filter((a) => !frameDependent(a)));
  });

  it('delivers a frame on one byte more than the measured frame, and none on the frame size itself', () => {
    const frame = measureHost().frameBytes;
    const byName = new Map(answers.map((a) => [String(a['probe']), a]));
    expect(byName.get('smallest altstack a SIGUSR1 frame is delivered on')?.['bytes']).toBe(frame + 1);
    expect(byName.get(`deliver SIGUSR1 SA_ONSTACK on ${frame} bytes`)?.['fate']).toBe('killed by SIGSEGV');
    expect(byName.get(`deliver SIGUSR1 SA_ONSTACK on ${frame + 1} bytes`)?.['fate']).toBe('handler ran');
  });
});

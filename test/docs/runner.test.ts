// The docs' command memo: a result is reused only while nothing its output can depend on changed.

import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoisedRunner } from '../../src/docs/runner.js';
import type { Runner } from '../../src/docs/shell.js';

const root = mkdtempSync(join(tmpdir(), 'amxstate-docs-memo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function counting(): { runner: Runner; calls: () => number } {
  let n = 0;
  const result = () => ({ stdout: `run ${++n}\n`, stderr: '', status: 0 });
  return { runner: { amxstate: result, node: result }, calls: () => n };
}

describe('memoisedRunner', () => {
  it('runs a command once while the build and the data stay as they are, and again after either changes', () => {
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, 'dist', 'main.js'), 'one');
    const inner = counting();
    const first = memoisedRunner(root, inner.runner).amxstate(['check'], '');
    expect(memoisedRunner(root, inner.runner).amxstate(['check'], '')).toEqual(first);
    expect(inner.calls()).toBe(1);
    // Another command, or other input on standard input, is another result.
    memoisedRunner(root, inner.runner).amxstate(['check', '--json'], '');
    memoisedRunner(root, inner.runner).amxstate(['check'], 'x');
    expect(inner.calls()).toBe(3);
    writeFileSync(join(root, 'dist', 'main.js'), 'two');
    expect(memoisedRunner(root, inner.runner).amxstate(['check'], '').stdout).toBe('run 4\n');
    mkdirSync(join(root, 'litmus'));
    writeFileSync(join(root, 'litmus', 'a.json'), '{}');
    memoisedRunner(root, inner.runner).amxstate(['check'], '');
    expect(inner.calls()).toBe(5);
  });

  it('does not remember a run that a signal ended, so a killed check leaves no stale result', () => {
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, 'dist', 'main.js'), 'killed');
    let n = 0;
    const killedOnce = () => (++n === 1 ? { stdout: '', stderr: '', status: 128, signal: 'SIGTERM' } : { stdout: `run ${n}\n`, stderr: '', status: 0 });
    const runner: Runner = { amxstate: killedOnce, node: killedOnce };
    expect(memoisedRunner(root, runner).amxstate(['check', '--killed'], '').status).toBe(128);
    expect(memoisedRunner(root, runner).amxstate(['check', '--killed'], '')).toEqual({ stdout: 'run 2\n', stderr: '', status: 0 });
    expect(memoisedRunner(root, runner).amxstate(['check', '--killed'], '').stdout).toBe('run 2\n');
    expect(n).toBe(2);
  });
});

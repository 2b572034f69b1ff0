import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEARCH_NODE_FLAG, SEARCH_SEMI_SPACE_MIB, searchWorker } from '../../src/check/young-generation.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Makes short-lived objects while a quarter of a million stay alive, as a search's queue does, and
// prints the largest size V8's new space reached, in MiB: twice the semi-space, once it has grown.
const PROBE = `
const v8 = require('node:v8');
const ring = new Array(1 << 18);
let most = 0;
for (let i = 0; i < 4e6; i++) {
  ring[i & (ring.length - 1)] = { i, s: [i] };
  if (i % 4096 === 0) most = Math.max(most, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
}
const out = String(most / 2 ** 20);
if (require('node:worker_threads').isMainThread) process.stdout.write(out); else require('node:worker_threads').parentPort.postMessage(out);
`;

/** The new space the probe reached in a node process started with `flags`, in MiB. */
function newSpaceOfProcess(flags: readonly string[]): number {
  const r = spawnSync(process.execPath, [...flags, '-e', PROBE], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout);
}

/** The new space the probe reached in a worker made as the pool makes its workers (searchWorker), in MiB. */
function newSpaceOfWorker(): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = searchWorker(PROBE, { eval: true });
    w.once('message', (m: string) => resolve(Number(m)));
    w.once('error', reject);
  });
}

/** The node flags of the executable's first line (`#!/usr/bin/env -S node FLAGS`). */
function executableFlags(): string[] {
  const first = readFileSync(join(ROOT, 'src', 'cli', 'main.ts'), 'utf8').split('\n')[0]!;
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w=-]+)*)$/.exec(first);
  expect(m, first).not.toBeNull();
  return m![1]!.trim().split(' ');
}

describe("a searching thread's young generation", () => {
  it('is what the executable, npm start and the benchmarks start node with', () => {
    expect(executableFlags()).toContain(SEARCH_NODE_FLAG);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'bench', 'bench:against']) expect(scripts[name]!.split(' '), name).toContain(SEARCH_NODE_FLAG);
  });

  it("grows past node's default in a process started as the executable's first line says", () => {
    const searching = newSpaceOfProcess(executableFlags());
    expect(searching).toBe(2 * SEARCH_SEMI_SPACE_MIB);
    // The probe tells the two apart: node's default stops short of it.
    expect(newSpaceOfProcess([])).toBeLessThan(searching);
  });

  it('grows as far in a worker made as the pool makes its workers', async () => {
    expect(await newSpaceOfWorker()).toBe(2 * SEARCH_SEMI_SPACE_MIB);
  });
});

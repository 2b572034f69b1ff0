// What a search reads of node's heap (src/explore/heap.ts): the old generation's limit, which node
// states only as part of the whole heap's, checked against the limit node was given on its command line.

import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { OLD_GENERATION_SHARE, pastShare, semiSpaceFlagMiB } from '../../src/explore/heap.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HEAP = join(ROOT, 'dist/src/explore/heap.js');

/** The old generation's limit in MiB as heap.ts reads it in a node started with `flags` (in a worker with these resource limits, if given). */
function limitUnder(flags: readonly string[], env: Record<string, string> = {}, worker?: { maxYoungGenerationSizeMb: number }): number {
  const read = `import(${JSON.stringify(HEAP)}).then((h) => process.stdout.write(String(h.oldGeneration().limit / 2 ** 20)))`;
  const script =
    worker === undefined
      ? read
      : `const { Worker } = require('node:worker_threads'); new Worker(${JSON.stringify(read)}, { eval: true, resourceLimits: ${JSON.stringify(worker)} });`;
  const r = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout);
}

beforeAll(() => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

describe('the old generation limit', () => {
  it('is the one node was given, whatever the young generation', () => {
    expect(limitUnder(['--max-old-space-size=150'])).toBe(150);
    expect(limitUnder(['--max-old-space-size=150', '--max-semi-space-size=64'])).toBe(150);
    expect(limitUnder(['--max-old-space-size=300'], { NODE_OPTIONS: '--max-semi-space-size=32' })).toBe(300);
  });

  it("is the one node was given in a worker with its own young generation (the pool's)", () => {
    expect(limitUnder(['--max-old-space-size=150'], {}, { maxYoungGenerationSizeMb: 192 })).toBe(150);
  });
});

describe('the semi-space flag', () => {
  it('is read in the forms node takes, the last one counting', () => {
    expect(semiSpaceFlagMiB([])).toBeUndefined();
    expect(semiSpaceFlagMiB(['--max-old-space-size=100'])).toBeUndefined();
    expect(semiSpaceFlagMiB(['--max-semi-space-size=64'])).toBe(64);
    expect(semiSpaceFlagMiB(['--max_semi_space_size=32'])).toBe(32);
    expect(semiSpaceFlagMiB(['--max-semi-space-size', '8', '--inspect'])).toBe(8);
    expect(semiSpaceFlagMiB(['--max-semi-space-size=64', '--max-semi-space-size=16'])).toBe(16);
  });
});

describe('the share a search stops at', () => {
  it('is three quarters of the limit', () => {
    const limit = 4096 * 2 ** 20;
    expect(pastShare({ used: 3072 * 2 ** 20, limit })).toBe(false);
    expect(pastShare({ used: 3072 * 2 ** 20 + 1, limit })).toBe(true);
  });

  it('lies below the 80% at which V8 may end a process whose collections keep it from running', () => {
    expect(OLD_GENERATION_SHARE).toBeLessThan(0.8);
  });
});

// A search that outgrows node's heap: node's own limit, set small here with --max-old-space-size, must
// end the search as --max-memory does (exit 4, the verdicts so far, "unknown" for the rest, one line
// of advice), never with V8's abort, its native stack trace and the output lost.

import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');

/** The CLI under node with an old generation of `mib` MiB. */
function underHeap(mib: number, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${mib}`, CLI, ...args, '--quiet'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ADVICE = /^amxstate: node's heap limit \((\d+) MiB for its old generation\) cut the search short: give node more with NODE_OPTIONS=--max-old-space-size=MiB, or bound the search with --max-states or --max-memory$/m;

beforeAll(() => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

describe('check under a heap too small for its search', () => {
  it('stops the bounded search short of the limit: exit 4, JSON with the verdicts so far, one line of advice', () => {
    // One process of four threads holds over a gibibyte before it ends.
    const r = underHeap(48, ['check', '--variant', 'linux', '--threads', '4', '--json']);
    expect(r.stderr).not.toMatch(/FATAL ERROR|heap out of memory|Native stack trace/);
    expect(r.status, r.stderr).toBe(4);
    const out = JSON.parse(r.stdout) as { variants: { linux: Record<string, { verdict: string }> }; stats: { linux: { states: number; complete: boolean; stoppedBy?: string } } };
    expect(out.stats.linux).toMatchObject({ complete: false, stoppedBy: 'heap-limit' });
    expect(out.stats.linux.states).toBeGreaterThan(10_000);
    // A violation found before the stop stays violated; what was not reached is unknown.
    expect(out.variants.linux['AltstackChecksAgree']?.verdict).toBe('violated');
    expect(out.variants.linux['BuffersAreAccountedFor']).toEqual({ verdict: 'unknown' });
    expect(r.stderr).toMatch(ADVICE);
    expect(ADVICE.exec(r.stderr)?.[1]).toBe('48');
  }, 120_000);

  it.each(['2', '1'])("stops each of five searches, one after another in a thread (--jobs %s), none held back by the one before", (jobs) => {
    // --jobs 2: each of two workers searches two or three variants; --jobs 1: the five in this thread.
    // Had a thread's earlier search still held its tables (its garbage, or its context kept by V8),
    // the next search would stop at its first state.
    const r = underHeap(48, ['check', '--threads', '4', '--jobs', jobs]);
    expect(r.stderr).not.toMatch(/FATAL ERROR|heap out of memory|Native stack trace/);
    expect(r.status, r.stderr).toBe(4);
    const lines = r.stdout.split('\n').filter((l) => l.includes("(stopped at node's heap limit)"));
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(Number(/ (\d+) states/.exec(line)?.[1])).toBeGreaterThan(10_000);
    expect(r.stdout).toMatch(/^unknown = not violated within node's heap limit; not proven$/m);
    expect(r.stderr).toMatch(ADVICE);
  }, 120_000);

  it('stops the view search (--threads any) as well: its verdicts unknown, with why', () => {
    const r = underHeap(48, ['check', '--variant', 'linux', '--threads', 'any', '--json']);
    expect(r.stderr).not.toMatch(/FATAL ERROR|heap out of memory|Native stack trace/);
    expect(r.status, r.stderr).toBe(4);
    const out = JSON.parse(r.stdout) as { variants: { linux: Record<string, { verdict: string; why?: string }> }; stats: { linux: { views: number; stoppedBy?: string } } };
    expect(out.stats.linux.stoppedBy).toBe('heap-limit');
    expect(out.variants.linux['BuffersAreAccountedFor']).toEqual({ verdict: 'unknown', why: "the search stopped at node's heap limit before it found every view" });
    expect(r.stderr).toMatch(ADVICE);
  }, 120_000);
});

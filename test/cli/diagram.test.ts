// `amxstate diagram` as a user runs it: the built CLI in a child process. It is built into its own
// folder under dist/ so that it never races the build of test/cli/simulate.test.ts.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_TERMINAL, onTerminal as terminal } from '../support/terminal.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'dist/.test-diagram');
const CLI = join(OUT, 'src/cli/main.js');

function amxstate(args: readonly string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir = '';

beforeAll(() => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json', '--outDir', OUT], { cwd: ROOT, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'amxstate-diagram-'));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('amxstate diagram', () => {
  it('--format svg --out writes an SVG file, creating its folder, and prints nothing', () => {
    const file = join(dir, 'new/folder/task.svg');
    const r = amxstate(['diagram', '--format', 'svg', '--out', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    expect(existsSync(file)).toBe(true);
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('allocated');
  });

  it('prints DOT, Mermaid and the system picture to standard output', () => {
    expect(amxstate(['diagram', '--format', 'dot']).stdout).toMatch(/^digraph "task" \{/);
    expect(amxstate(['diagram', '--format', 'mermaid', '--machine', 'process']).stdout).toMatch(/^stateDiagram-v2\n/);
    expect(amxstate(['diagram', '--format', 'mermaid', '--machine', 'system']).stdout).toMatch(/^flowchart LR\n/);
  });

  it('highlights what a variant changes', () => {
    const dot = amxstate(['diagram', '--format', 'dot', '--variant', 'linux-fixed']).stdout;
    expect(dot).toContain('changed against linux');
    expect(dot.split('\n').find((l) => l.includes('id="t:task.alive:EXEC:0"'))).toContain('#d9480f');
    expect(amxstate(['diagram', '--format', 'dot']).stdout).not.toContain('changed against linux');
  });

  it.each([
    [['diagram', '--format', 'png'], 'png'],
    [['diagram', '--machine', 'kernel'], 'kernel'],
    [['diagram', '--variant', 'bsd'], 'bsd'],
    [['diagram', '--format'], 'format'],
    [['diagram', 'extra'], 'extra'],
    [['diagram', '--out', '/proc/no/such/dir/x.svg'], '/proc/no/such/dir/x.svg'],
    [['diagram', '--out', ''], 'diagram: --out: empty file name'],
    [['diagram', '--coverage', 'default', '--out', '/proc/x.svg'], 'diagram: cannot write /proc/x.svg'],
  ])('bad input %j exits 2 with one line', (args, says) => {
    const r = amxstate(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^amxstate: /);
    expect(lines[0]).toContain(says);
  });
});

describe('amxstate diagram --coverage: progress', () => {
  it('says on standard error when the exploration is done, and nothing with --quiet', () => {
    const file = join(dir, 'coverage.svg');
    const r = amxstate(['diagram', '--coverage', 'tiny', '--out', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^amxstate diagram: coverage: generated suite of linux\/tiny explored \(\d+ scenarios\) in \d+\.\d\d s\n$/);
    const quiet = amxstate(['diagram', '--coverage', 'tiny', '--out', file, '--quiet']);
    expect([quiet.status, quiet.stderr]).toEqual([0, '']);
  });
});

/** The command on a terminal (test/support/terminal.ts). */
function onTerminal(args: readonly string[]): { text: string; status: number } {
  return terminal(CLI, ROOT, args);
}

describe.skipIf(NO_TERMINAL)('amxstate diagram on a terminal', () => {
  it('refuses to write SVG to a terminal in one line, exit 2, before any work', () => {
    const r = onTerminal(['diagram', '--coverage', 'default']);
    expect(r.status).toBe(2);
    expect(r.text).toBe('amxstate: diagram: not writing SVG to a terminal: give --out FILE, redirect standard output (> FILE), or use --format dot or mermaid\n');
  });

  it('prints DOT and Mermaid to a terminal', () => {
    const dot = onTerminal(['diagram', '--format', 'dot']);
    expect(dot.status).toBe(0);
    expect(dot.text).toMatch(/^digraph "task" \{/);
    expect(onTerminal(['diagram', '--format', 'mermaid']).text).toMatch(/^stateDiagram-v2\n/);
  });

  it('draws the progress line in place and clears it, so the terminal is left clean', () => {
    const r = onTerminal(['diagram', '--coverage', 'tiny', '--format', 'mermaid']);
    expect(r.status).toBe(0);
    expect(r.text).toMatch(/^\ramxstate diagram: coverage: exploring linux\/tiny: \d+ states, depth \d+\x1b\[K/);
    // Every line drawn is cleared before the diagram starts, and no progress text is left on a line of its own.
    const start = r.text.indexOf('stateDiagram-v2');
    expect(r.text.slice(0, start).endsWith('\r\x1b[K')).toBe(true);
    expect(r.text.slice(start)).not.toContain('amxstate diagram');
  });
});

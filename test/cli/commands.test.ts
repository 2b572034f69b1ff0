// The commands as a user runs them: the built CLI in a child process, its exit codes, its standard
// output and its one-line error messages. simulate in depth; check's and paths' exits and files.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPYC } from '../support/measurements.js';
import { NO_TERMINAL, onTerminal } from '../support/terminal.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');
const QUICKSTART = join(ROOT, 'scenarios/quickstart.json');

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function amxstate(args: readonly string[], stdin?: string, cwd: string = ROOT): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', input: stdin ?? '', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The fields every --json line carries, read back from untyped JSON. */
interface JsonLine {
  readonly step: number;
  readonly task?: string;
  readonly op: string;
  readonly outcome: string;
  readonly [key: string]: unknown;
}

function jsonLines(stdout: string): JsonLine[] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as JsonLine);
}

let dir = '';
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  // The CLI runs from dist: build it from the current sources first.
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'amxstate-cli-'));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const quickstartSteps = (JSON.parse(readFileSync(QUICKSTART, 'utf8')) as { steps: { task?: string; op: string }[] }).steps;

describe('amxstate simulate: success', () => {
  it('prints a table with a header and one row per step, exit 0', () => {
    const r = amxstate(['simulate', QUICKSTART]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]?.split(/\s+/).slice(0, 4)).toEqual(['step', 'task', 'op', 'outcome']);
    expect(lines[1]).toMatch(/^-+( +-+)+$/);
    expect(lines.length).toBe(2 + quickstartSteps.length);
    // The quickstart's own expected result: ENOSPC, then the worker's touch is killed by SIGSEGV (SI_KERNEL).
    expect(lines[2 + 1]).toMatch(/REQ_PERM\s+ENOSPC/);
    expect(lines.at(-1)).toMatch(/worker\s+TOUCH\s+SIGSEGV \(SI_KERNEL\)\s+yes/);
  });

  it('--json prints one parseable line per step with step, task, op and outcome', () => {
    const r = amxstate(['simulate', QUICKSTART, '--json']);
    expect(r.status).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.step)).toEqual(quickstartSteps.map((_, i) => i + 1));
    expect(lines.map((l) => [l.task, l.op])).toEqual(quickstartSteps.map((s) => [s.task, s.op]));
    for (const l of lines) expect(typeof l.outcome).toBe('string');
    expect(lines[1]?.outcome).toBe('ENOSPC');
    expect(lines.at(-1)).toMatchObject({ task: 'worker', op: 'TOUCH', outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: true });
  });

  it('reads the scenario from standard input with -', () => {
    const fromFile = amxstate(['simulate', QUICKSTART, '--json']);
    const fromStdin = amxstate(['simulate', '-', '--json'], readFileSync(QUICKSTART, 'utf8'));
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
  });

  it('--variant overrides the variant in the file', () => {
    const leak = file('leak.json', JSON.stringify({ variant: 'linux', steps: [{ task: 'main', op: 'REQ_PERM', feature: 18 }, { task: 'main', op: 'LDTILECFG' }, { task: 'main', op: 'TOUCH' }, { task: 'main', op: 'EXEC' }] }));
    expect(jsonLines(amxstate(['simulate', leak, '--json']).stdout).at(-1)?.leakedBuffers).toBe(1);
    const fixed = amxstate(['simulate', leak, '--json', '--variant', 'linux-fixed']);
    expect(fixed.status).toBe(0);
    expect(jsonLines(fixed.stdout).at(-1)?.leakedBuffers).toBe(0);
  });
});

describe('amxstate simulate: bad input exits 2 with one line on stderr', () => {
  const cases: readonly { title: string; args: (() => string[]) | string[]; stdin?: string; says: string }[] = [
    { title: 'malformed JSON on stdin', args: ['simulate', '-'], stdin: '{"steps": [', says: 'malformed JSON' },
    { title: 'unknown op', args: () => ['simulate', file('op.json', '{"steps": [{"task": "main", "op": "FROB"}]}')], says: 'step 1' },
    { title: 'unknown variant', args: ['simulate', QUICKSTART, '--variant', 'bsd'], says: 'bsd' },
    { title: 'dead task at run time', args: () => ['simulate', file('dead.json', '{"steps": [{"task": "main", "op": "EXIT"}, {"task": "main", "op": "GET_PERM"}]}')], says: 'step 2' },
    { title: 'SIGRETURN outside a handler', args: () => ['simulate', file('sigreturn.json', '{"steps": [{"task": "main", "op": "SIGRETURN"}]}')], says: 'signal handler' },
    { title: 'missing file', args: ['simulate', '/nonexistent/scenario.json'], says: '/nonexistent/scenario.json' },
    { title: 'unknown option', args: ['simulate', QUICKSTART, '--frob'], says: 'frob' },
    { title: 'unknown command', args: ['simulat'], says: 'simulat' },
  ];

  it.each(cases.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const r = amxstate(typeof c.args === 'function' ? c.args() : c.args, c.stdin);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^amxstate: /);
    expect(lines[0]).toContain(c.says);
    // No stack trace.
    expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
  });
});

describe('amxstate check: exits', () => {
  it('exits 4 when --max-states cuts the search and nothing differs, saying so in one line', () => {
    const r = amxstate(['check', '--variant', 'linux', '--max-states', '20', '--quiet']);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('unknown');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^amxstate: check stopped at --max-states 20 for linux/);
    // Without --quiet, the progress line of the cut-off variant comes first.
    const loud = amxstate(['check', '--variant', 'linux', '--max-states', '20']);
    expect(loud.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^amxstate check: linux: stopped at --max-states after 20 states, /), lines[0]]);
  });

  it('--max-states 1: every cell is unknown, and it says that nothing is proven (not that every verdict matches)', () => {
    const r = amxstate(['check', '--max-states', '1', '--quiet']);
    expect(r.status).toBe(4);
    const lines = r.stdout.split('\n');
    const rows = PROPERTIES.map((p) => lines.find((l) => l.startsWith(`${p.name} `)) ?? `${p.name} missing`);
    for (const row of rows) expect(row.split(/\s+/).slice(1)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    expect(r.stdout).not.toContain('matches machines/manifest.json');
    expect(r.stdout).not.toContain('holds');
    expect(r.stdout).toContain('Nothing is proven: the search stopped at --max-states 1 before any verdict was reached');
    const json = JSON.parse(amxstate(['check', '--max-states', '1', '--quiet', '--json']).stdout) as { variants: Record<string, Record<string, { verdict: string }>> };
    const verdicts = new Set(Object.values(json.variants).flatMap((cells) => Object.values(cells).map((c) => c.verdict)));
    expect(verdicts).toEqual(new Set(['unknown']));
  });

  it('exits 4 when --max-memory cuts the search, as --max-states does, naming the bound it passed', () => {
    // Any search holds more than 1 MiB of heap at its first look, so it stops with the initial state.
    const r = amxstate(['check', '--config', 'tiny', '--variant', 'linux', '--max-memory', '1', '--quiet']);
    expect(r.status).toBe(4);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^amxstate: check stopped at --max-memory 1 for linux before exploring every state/)]);
    expect(r.stdout).toMatch(/^linux +1 states +0 transitions +depth 0 +\(stopped at --max-memory\)$/m);
    expect(r.stdout).toContain('Nothing is proven: the search stopped at --max-memory 1 before any verdict was reached');
  });

  it('a search cut off part way says which variants are unproven, not that every verdict matches', () => {
    // Within 50 states the 2-step AltstackChecksAgree counterexample is found; the rest stays unknown.
    const r = amxstate(['check', '--config', 'tiny', '--variant', 'linux', '--max-states', '50', '--quiet']);
    expect(r.status).toBe(4);
    expect(r.stdout).toMatch(/^AltstackChecksAgree +violated \(2\)$/m);
    expect(r.stdout).toContain('No verdict found differs from machines/manifest.json, but linux stopped at --max-states 50: their "unknown" cells and state counts are not proven.');
    expect(r.stdout).not.toContain('Every verdict');
  });
});

describe('amxstate check --reduction por', () => {
  it('compares the verdicts with the manifest, not the state counts of the reduced search, and says so', () => {
    const r = amxstate(['check', '--config', 'tiny', '--variant', 'linux', '--reduction', 'por', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Partial-order reduction (--reduction por): states and transitions are those of the reduced search');
    expect(r.stdout).toContain('Every verdict matches machines/manifest.json.');
    const json = JSON.parse(amxstate(['check', '--config', 'tiny', '--variant', 'linux', '--reduction', 'por', '--json', '--quiet']).stdout) as { reduction?: string; mismatches: unknown[] };
    expect(json.reduction).toBe('por');
    expect(json.mismatches).toEqual([]);
  });
});

describe('amxstate check --reduction views', () => {
  it('proves what holds by views, compares the verdicts with the manifest, not the states of the bounded search, and says so', () => {
    const r = amxstate(['check', '--config', 'lazy', '--variant', 'linux', '--reduction', 'views', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Through views (--reduction views): a property holds where the view abstraction proves it');
    expect(r.stdout).toMatch(/^linux +\d+ views +\d+ configurations +\d+ transitions$/m);
    expect(r.stdout).toContain('Every verdict matches machines/manifest.json.');
    const bounded = JSON.parse(amxstate(['check', '--config', 'lazy', '--variant', 'linux', '--json', '--quiet']).stdout) as { variants: unknown };
    const json = JSON.parse(amxstate(['check', '--config', 'lazy', '--variant', 'linux', '--reduction', 'views', '--json', '--quiet']).stdout) as {
      reduction?: string;
      variants: unknown;
      stats: Record<string, { states: number; views?: { views: number; complete: boolean } }>;
      mismatches: unknown[];
    };
    expect(json.reduction).toBe('views');
    expect(json.variants).toEqual(bounded.variants);
    expect(json.stats['linux']?.views?.complete).toBe(true);
    expect(json.stats['linux']?.views?.views).toBeGreaterThan(0);
    expect(json.mismatches).toEqual([]);
  });
});

describe('amxstate check --processes any', () => {
  it('gives the verdicts of the bounded forks preset for every number of processes, says how, and compares nothing with the manifest', () => {
    const bounded = JSON.parse(amxstate(['check', '--config', 'forks', '--json', '--quiet']).stdout) as { variants: unknown };
    const r = amxstate(['check', '--config', 'forks', '--processes', 'any', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('any number of processes x 1 thread');
    expect(r.stdout).toContain('Verdicts for every number of processes: each unit of processes');
    expect(r.stdout).toContain('machines/manifest.json records the preset configurations only');
    const json = JSON.parse(amxstate(['check', '--config', 'forks', '--processes', 'any', '--json', '--quiet']).stdout) as { processes?: string; variants: unknown };
    expect(json.processes).toBe('any');
    expect(json.variants).toEqual(bounded.variants);
  });
});

describe('amxstate check: the same output on every run', () => {
  it('--json is byte-identical between two runs, and has no timings unless --timings asks', () => {
    const args = ['check', '--config', 'tiny', '--json', '--quiet'];
    const first = amxstate(args);
    const second = amxstate(args);
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    // The variants searched one after the other in the command's own thread, or three at a time on workers.
    expect(amxstate([...args, '--jobs', '1']).stdout).toBe(first.stdout);
    expect(amxstate([...args, '--jobs', '3']).stdout).toBe(first.stdout);
    expect(first.stdout).not.toMatch(/seconds|statesPerSecond/);
    const stats = (JSON.parse(first.stdout) as { stats: Record<string, Record<string, unknown>> }).stats;
    expect(Object.keys(stats['linux']!).sort()).toEqual(['complete', 'depth', 'states', 'transitions']);
    const timed = JSON.parse(amxstate([...args, '--timings']).stdout) as { stats: Record<string, { seconds: number; statesPerSecond: number }> };
    expect(typeof timed.stats['linux']?.seconds).toBe('number');
    expect(typeof timed.stats['linux']?.statesPerSecond).toBe('number');
  });

  it('the text output is byte-identical too; --timings adds the seconds and states/s columns', () => {
    const args = ['check', '--config', 'tiny', '--variant', 'linux', '--quiet'];
    const first = amxstate(args);
    expect(amxstate(args).stdout).toBe(first.stdout);
    expect(first.stdout).not.toContain('states/s');
    expect(first.stdout).toMatch(/^linux +\d+ states +\d+ transitions  depth \d+$/m);
    expect(amxstate([...args, '--timings']).stdout).toMatch(/^linux +\d+ states +\d+ transitions  depth \d+  \d+\.\d\d s  \d+ states\/s$/m);
  });

  it('progress goes to standard error, one line per variant where it is not a terminal, and never to standard output', () => {
    const loud = amxstate(['check', '--config', 'tiny']);
    const quiet = amxstate(['check', '--config', 'tiny', '--quiet']);
    expect(loud.stdout).toBe(quiet.stdout);
    expect(quiet.stderr).toBe('');
    const lines = loud.stderr.trimEnd().split('\n');
    // One line as each variant ends (in the order the searches end: they may run side by side), with
    // the figures of its statistics line on standard output.
    const stats = [...quiet.stdout.matchAll(/^(\S+) +(\d+) states +(\d+) transitions  depth (\d+)$/gm)].map((m) => `amxstate check: ${m[1]}: ${m[2]} states, ${m[3]} transitions, depth ${m[4]}`);
    expect(stats).toHaveLength(5);
    const ended = lines.filter((l) => !/ \(\d+\.\d\d s\)$/.test(l)).map((l) => l.replace(/ in \d+\.\d+ s \(\d+ states\/s\)$/, ''));
    expect(ended.sort()).toEqual(stats.sort());
    for (const l of lines) expect(l).toMatch(/^amxstate check: /);
  });

  it('check --help says where the timings went', () => {
    const r = amxstate(['check', '--help']);
    expect(r.stdout).toContain('--timings');
    expect(r.stdout).toContain('--quiet');
    expect(r.stdout).toMatch(/same on every run/);
  });
});

describe('amxstate paths', () => {
  it('writes one scenario per test into --out, and every one runs with simulate', () => {
    const out = join(dir, 'suite');
    const r = amxstate(['paths', '--config', 'tiny', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^amxstate paths: linux\/tiny: \d+ scenarios \(criterion transition\) in \d+\.\d\d s\n$/);
    const count = Number(/: (\d+) scenarios/.exec(r.stdout)?.[1]);
    expect(count).toBeGreaterThan(5);
    const files = readdirSync(out);
    expect(files).toHaveLength(count);
    for (const f of files) expect(amxstate(['simulate', join(out, f)]).status, f).toBe(0);
  });

  it('prints what is not reached one id per line, indented under its chart, and no line runs on', () => {
    const r = amxstate(['paths', '--config', 'tiny', '--quiet']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const task = lines.findIndex((l) => l.startsWith('  task chart: '));
    const count = Number(/; (\d+) transition\(s\) not reached:$/.exec(lines[task]!)?.[1]);
    expect(count).toBeGreaterThan(10);
    const ids = lines.slice(task + 1, task + 1 + count);
    for (const id of ids) expect(id).toMatch(/^ {6}task\.\S+:\d+$/);
    expect(lines[task + 1 + count]).toMatch(/^  process chart: /);
    // The summary: nothing there runs on for hundreds of characters any more.
    const summary = lines.slice(0, lines.findIndex((l) => /^linux--tiny--transition--001 /.test(l)));
    expect(summary.length).toBeGreaterThan(count);
    for (const l of summary) expect(l.length, l.slice(0, 60)).toBeLessThan(200);
  });
});

describe('amxstate check and paths: bad input exits 2 with one line on stderr', () => {
  it.each([
    [['check', '--config', 'huge'], 'huge'],
    [['check', '--max-states', '0'], '--max-states'],
    [['check', '--max-states', '0x10'], '--max-states: expected a positive decimal integer, got "0x10"'],
    [['check', '--max-states', '1e3'], '--max-states'],
    [['check', '--max-states', '+5'], '--max-states'],
    [['check', '--max-states', ' 7'], '--max-states'],
    [['check', '--max-states', '7\n'], '--max-states'],
    [['check', '--max-states', '-1'], '--max-states'],
    [['check', '--max-states', '99999999999999999999'], '--max-states'],
    [['check', '--max-memory', '0'], '--max-memory: expected a positive decimal number of MiB, got "0"'],
    [['check', '--max-memory', '1.5'], '--max-memory'],
    [['check', '--max-memory', '512M'], '--max-memory'],
    [['paths', '--out', ''], 'paths: --out: empty folder name'],
    [['check', '--variant', 'bsd'], 'bsd'],
    [['paths', '--variant', 'bsd'], 'bsd'],
    [['paths', '--config', 'huge'], 'huge'],
    [['paths', '--criterion', 'pair'], 'pair'],
    [['paths', '--out', '/proc/amxstate-suite'], '/proc/amxstate-suite'],
  ])('%j', (args, says) => {
    const r = amxstate(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^amxstate: .*${says.replace(/[-/()+.]/g, '\\$&')}`))]);
  });

  it('paths --out "" writes nothing into the current folder', () => {
    const cwd = join(dir, 'empty-out');
    mkdirSync(cwd);
    expect(amxstate(['paths', '--config', 'tiny', '--out', ''], undefined, cwd).status).toBe(2);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('paths finds a bad --out before the search: no progress line, only the message', () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const r = amxstate(['paths', '--out', join(dir, 'a-file')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`amxstate: paths: cannot write into ${join(dir, 'a-file')}: ENOTDIR\n`);
  });
});

describe('output paths are checked before the work: exit 2, one line, not a word of progress', () => {
  const cases: readonly (readonly [string, () => string[], () => string])[] = [
    ['report --out a directory', () => ['report', '--out', dir], () => `amxstate: report: cannot write ${dir}: EISDIR`],
    ['report --out ""', () => ['report', '--out', ''], () => 'amxstate: report: --out: empty file name'],
    ['report --out under /proc', () => ['report', '--out', '/proc/amxstate/report.html'], () => 'amxstate: report: cannot write /proc/amxstate/report.html: ENOENT'],
    ['conform --junit under /proc', () => ['conform', '--junit', '/proc/amxstate.xml'], () => 'amxstate: conform: --junit: cannot write /proc/amxstate.xml: ENOENT'],
    ['conform --record a file', () => ['conform', '--record', QUICKSTART], () => `amxstate: conform: --record: cannot write into ${QUICKSTART}: ENOTDIR`],
    ['conform --record ""', () => ['conform', '--record', ''], () => 'amxstate: conform: --record: empty folder name'],
  ];
  it.each(cases)('%s', (_title, args, line) => {
    const started = performance.now();
    const r = amxstate(args());
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line()}\n`);
    // report on default explores for many seconds, conform generates its suite first: neither started.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('--platform', () => {
  // observed-no-amx-6.18.md: N7 (bitmaps 0xe7), N16 (REQ_PERM EOPNOTSUPP whatever the altstack), N13 (#UD).
  const NO_AMX_STEPS = [
    { task: 'main', op: 'GET_SUPP' },
    { task: 'main', op: 'SIGALTSTACK', size: 'small' },
    { task: 'main', op: 'REQ_PERM', feature: 18 },
    { task: 'main', op: 'SET_DISPOSITION', signal: 'SIGILL', handler: 'skip' },
    { task: 'main', op: 'LDTILECFG' },
  ];
  const measurement = EPYC;


  it('simulate --platform no-amx predicts the machine without AMX, and overrides the file\'s platform', () => {
    const path = file('no-amx.json', JSON.stringify({ steps: NO_AMX_STEPS }));
    const want = [
      ['ok', '0xe7'],
      ['ok', undefined],
      ['EOPNOTSUPP', undefined],
      ['ok', undefined],
      ['SIGILL', 'ILL_ILLOPN'],
    ];
    const r = amxstate(['simulate', path, '--platform', 'no-amx', '--json']);
    expect(r.status).toBe(0);
    expect(jsonLines(r.stdout).map((o) => [o.outcome, o['bitmap'] ?? o['si_code']])).toEqual(want);
    const named = file('named.json', JSON.stringify({ platform: 'no-amx', steps: NO_AMX_STEPS }));
    expect(amxstate(['simulate', named, '--json']).stdout).toBe(r.stdout);
    const spr = jsonLines(amxstate(['simulate', named, '--platform', 'spr-linux-6.18', '--json']).stdout);
    expect(spr.map((o) => o.outcome)).toEqual(['ok', 'ok', 'ENOSPC', 'ok', 'ok']);
  });

  it('simulate shows an endless refault in the hang column, and a later step of the stuck task is bad input', () => {
    const steps = [
      { task: 'main', op: 'CLONE_THREAD', child: 'w' },
      { task: 'main', op: 'SET_DISPOSITION', signal: 'SIGILL', handler: 'request-permission' },
      { task: 'w', op: 'LDTILECFG' },
    ];
    const r = amxstate(['simulate', file('hang.json', JSON.stringify({ platform: 'no-amx', steps })), '--platform', 'no-amx']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const hang = lines[0]!.indexOf('hang');
    expect(hang).toBeGreaterThan(0);
    expect(lines.at(-1)!.slice(hang, hang + 3)).toBe('yes');
    expect(jsonLines(amxstate(['simulate', file('hang2.json', JSON.stringify({ platform: 'no-amx', steps })), '--json']).stdout).at(-1)?.['hang']).toBe(true);
    const stuck = amxstate(['simulate', file('stuck.json', JSON.stringify({ platform: 'no-amx', steps: [...steps, { task: 'w', op: 'GET_PERM' }] }))]);
    expect(stuck.status).toBe(2);
    expect(stuck.stderr).toBe('amxstate: simulate: step 4: field "task": task "w" is stuck in an endless SIGILL refault on LDTILECFG palette=1: that is the only step it takes\n');
  });

  it('check --platform no-amx compares with the no-amx entry of the manifest, and says so', () => {
    const r = amxstate(['check', '--platform', 'no-amx', '--config', 'tiny']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('platform no-amx: ');
    expect(r.stdout).toContain('Every verdict on platform no-amx matches machines/manifest.json.');
    const json = JSON.parse(amxstate(['check', '--platform', 'no-amx', '--config', 'tiny', '--json']).stdout) as { platform: string; manifestEntry: boolean; mismatches: unknown[] };
    expect([json.platform, json.manifestEntry, json.mismatches]).toEqual(['no-amx', true, []]);
  });

  it('check --platform FILE prints the verdicts and says plainly that nothing is compared, exit 0', () => {
    const r = amxstate(['check', '--platform', file('epyc.json', JSON.stringify({ measurement })), '--config', 'tiny']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/AltstackChecksAgree\s+holds/);
    expect(r.stdout).toMatch(/has no entry for platform file:.*epyc\.json under configuration "tiny": nothing to compare/);
    expect(r.stdout).not.toContain('matches machines/manifest.json');
  });

  it('paths --platform no-amx writes scenarios that name the platform, and simulate runs each', () => {
    const out = join(dir, 'suite-no-amx');
    const r = amxstate(['paths', '--config', 'tiny', '--platform', 'no-amx', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('platform no-amx');
    for (const f of readdirSync(out)) {
      expect((JSON.parse(readFileSync(join(out, f), 'utf8')) as { platform?: string }).platform, f).toBe('no-amx');
      expect(amxstate(['simulate', join(out, f)]).status, f).toBe(0);
    }
  });

  it('--platform host measures this machine (exit 0) or says in one line that it cannot (exit 3)', () => {
    const r = amxstate(['simulate', file('host.json', JSON.stringify({ steps: [{ task: 'main', op: 'GET_SUPP' }] })), '--platform', 'host', '--json']);
    expect([0, 3]).toContain(r.status);
    if (r.status === 3) expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^amxstate: /)]);
    else expect(jsonLines(r.stdout)[0]?.['bitmap']).toMatch(/^0x[0-9a-f]+$/);
  });

  it.each([
    [['simulate', QUICKSTART, '--platform', 'sapphire'], 'simulate: --platform: "sapphire" is neither a platform'],
    [['check', '--platform', 'sapphire'], 'check: --platform: "sapphire"'],
    [['paths', '--platform', 'sapphire'], 'paths: --platform: "sapphire"'],
    [['report', '--platform', 'sapphire'], 'report: --platform: "sapphire"'],
  ])('%j is bad input: exit 2, one line', (args, says) => {
    const r = amxstate(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(`amxstate: ${says}`), lines[0]).toBe(true);
  });

  it('a bad measurement file is bad input naming the field', () => {
    const r = amxstate(['simulate', QUICKSTART, '--platform', file('bad-measurement.json', JSON.stringify({ ...measurement, frameBytes: 'big' }))]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^amxstate: simulate: --platform: .*bad-measurement\.json: field "frameBytes" must be a number, got "big"\n$/);
  });
});

describe('check with bounds on the command line', () => {
  const states = (args: readonly string[]): number => {
    const r = amxstate(['check', '--variant', 'linux', '--json', '--quiet', ...args]);
    expect(r.status, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { stats: { linux: { states: number } } }).stats.linux.states;
  };

  it("reproduces a preset's recorded state count when its own bounds are given one by one", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'machines/manifest.json'), 'utf8')) as { configs: { tiny: { states: { linux: number } } } };
    expect(states(['--config', 'tiny', '--processes', '1', '--threads', '1', '--execs', '1', '--signal-depth', '1', '--ops', 'core'])).toBe(manifest.configs.tiny.states.linux);
  });

  it('applies each bound: one more thread, or one op fewer, changes what is reachable', () => {
    const ops = ['--ops', 'REQ_PERM,LDTILECFG,TOUCH,CLONE_THREAD,EXIT'];
    const two = states(['--threads', '2', ...ops]);
    expect(states(['--threads', '3', ...ops])).toBeGreaterThan(two);
    expect(states(['--threads', '2', '--ops', 'REQ_PERM,LDTILECFG,CLONE_THREAD,EXIT'])).toBeLessThan(two);
  });

  it('says the manifest records the presets only, and compares nothing', () => {
    const r = amxstate(['check', '--variant', 'linux', '--threads', '1', '--ops', 'TOUCH', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('configuration "default with bounds": 1 process x 1 thread, 1 exec, 1 signal handler at a time, ops: TOUCH');
    expect(r.stdout).toContain('records the preset configurations only');
  });
});

describe('check --threads any', () => {
  const ops = ['--ops', 'REQ_PERM,LDTILECFG,TOUCH,CLONE_THREAD,EXIT,OOM_BEGIN,OOM_END'];

  it('says that its verdicts cover every thread count, and with which cutoff', () => {
    const r = amxstate(['check', '--variant', 'linux', '--threads', 'any', ...ops, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 process x any number of threads');
    expect(r.stdout).toContain('Verdicts for every number of threads per process: the view abstraction with cutoff 1');
    expect(r.stdout).toMatch(/AmxWorkIsNeverLostToEnomem +violated \(6, 2 threads\)/);
    // Without SET_DISPOSITION no run can loop on a refault: a verdict for every N, of infinite behaviour or not.
    expect(r.stdout).toMatch(/FaultingInstructionEventuallyCompletes +holds\*\n/);
    const lazy = amxstate(['check', '--variant', 'linux', '--config', 'lazy', '--threads', 'any', '--quiet']);
    expect(lazy.status, lazy.stderr).toBe(0);
    expect(lazy.stdout).toMatch(/FaultingInstructionEventuallyCompletes +not judged\n/);
  });

  it('prints the same whether the variants are searched one after the other or on worker threads', () => {
    const args = ['check', '--threads', 'any', ...ops, '--quiet'];
    const alone = amxstate([...args, '--jobs', '1']);
    expect(alone.status, alone.stderr).toBe(0);
    expect(alone.stdout).toMatch(/^no-xfd +\d+ views/m);
    expect(amxstate([...args, '--jobs', '3']).stdout).toBe(alone.stdout);
    expect(amxstate([...args, '--jobs', '2', '--json']).stdout).toBe(amxstate([...args, '--jobs', '1', '--json']).stdout);
  });

  it.skipIf(NO_TERMINAL)('counts views, not states, on its progress line', () => {
    const r = onTerminal(CLI, ROOT, ['check', '--variant', 'linux', '--threads', 'any', ...ops]);
    expect(r.status).toBe(0);
    expect(r.text).toMatch(/^\ramxstate check: linux: \d+ views, depth \d+\x1b\[K/);
    expect(r.text).not.toMatch(/\d+ states, depth/);
  });

  it('gives each violation in --json as a scenario with its thread count', () => {
    const r = amxstate(['check', '--variant', 'linux', '--threads', 'any', ...ops, '--json', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { threads: string; cutoff: number; variants: { linux: Record<string, { verdict: string; threads?: number; counterexample?: { steps: unknown[] } }> } };
    expect(out).toMatchObject({ threads: 'any', cutoff: 1 });
    const cell = out.variants.linux['AmxWorkIsNeverLostToEnomem']!;
    expect(cell).toMatchObject({ verdict: 'violated', threads: 2 });
    expect(cell.counterexample?.steps).toHaveLength(6);
    expect(out.variants.linux['BuffersAreAccountedFor']).toEqual({ verdict: 'holds' });
  });

  it('exits 4 when --max-memory cuts the view search, naming the bound, every verdict it could not reach unknown', () => {
    // The view search holds more than 1 MiB at its first look, so it stops with its first views.
    const r = amxstate(['check', '--variant', 'linux', '--threads', 'any', ...ops, '--max-memory', '1', '--quiet']);
    expect(r.status, r.stderr).toBe(4);
    expect(r.stdout).toMatch(/^linux +\d+ views +\d+ configurations +0 transitions +\(stopped at --max-memory\)$/m);
    expect(r.stdout).toMatch(/^BuffersAreAccountedFor +unknown$/m);
    const json = JSON.parse(amxstate(['check', '--variant', 'linux', '--threads', 'any', ...ops, '--max-memory', '1', '--json', '--quiet']).stdout) as {
      variants: { linux: Record<string, { verdict: string; why?: string }> };
      stats: { linux: { complete: boolean; stoppedBy?: string } };
    };
    expect(json.stats.linux).toMatchObject({ complete: false, stoppedBy: 'max-memory' });
    expect(json.variants.linux['BuffersAreAccountedFor']).toEqual({ verdict: 'unknown', why: 'the search stopped at --max-memory before it found every view' });
  });
});

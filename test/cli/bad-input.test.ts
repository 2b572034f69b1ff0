// The bad-input table: every kind of bad input, through the command line as a user meets it (tsx on
// src/cli/main.ts, so that no other test's rebuild of dist/ interferes). Each row must end with the
// documented exit status (2), nothing on standard output, and exactly one line on standard error
// that names the command, says what is wrong with the words a reader needs, and carries no raw
// control character, stack trace or megabyte of echoed input.

import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PROCESSES, MAX_SIGNAL_DEPTH, MAX_STEPS, MAX_THREADS_PER_PROCESS } from '../../src/scenario/limits.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const QUICKSTART = join(ROOT, 'scenarios/quickstart.json');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Standard input: text, a file opened as the descriptor (a directory, /dev/null), or nothing. */
type Stdin = { readonly text: string } | { readonly path: string };

function amxstate(args: readonly string[], stdin: Stdin = { text: '' }, entry = join(ROOT, 'src/cli/main.ts')): Run {
  const options = { cwd: ROOT, encoding: 'utf8' as const, timeout: 120_000, maxBuffer: 64 * 2 ** 20 };
  if ('text' in stdin) {
    const r = spawnSync(TSX, [entry, ...args], { ...options, input: stdin.text });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  const fd = openSync(stdin.path, 'r');
  try {
    const r = spawnSync(TSX, [entry, ...args], { ...options, stdio: [fd, 'pipe', 'pipe'] });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

let dir = '';
const at = (name: string) => join(dir, name);
const scenario = (...steps: readonly unknown[]) => JSON.stringify({ steps });
const main = (op: string, more: Record<string, unknown> = {}) => ({ task: 'main', op, ...more });

interface Row {
  /** The class of bad input (the classes, and those handled before). */
  readonly kind: string;
  readonly title: string;
  /** The command named first in the arguments; the error line must start with it. */
  readonly args: () => readonly string[];
  readonly stdin?: () => Stdin;
  /** Words the line must contain. */
  readonly says: readonly string[];
  /** Words it must not contain. */
  readonly not?: readonly string[];
  /** A project copy to run in (the manifest rows). */
  readonly main?: () => string;
}

const simulateFile = (name: string) => () => ['simulate', at(name)];
const simulateText = (text: string) => ({ args: () => ['simulate', '-'], stdin: () => ({ text }) });

const ROWS: readonly Row[] = [
  // Names inherited from JavaScript objects.
  { kind: 'bad number', title: 'check --jobs 0', args: () => ['check', '--jobs', '0'], says: ['--jobs', 'from 1 to 64', '"0"'] },
  { kind: 'bad number', title: 'check --threads 0', args: () => ['check', '--threads', '0'], says: ['--threads', 'from 1 to 16', '"0"'] },
  { kind: 'bad number', title: 'check --threads many', args: () => ['check', '--threads', 'many'], says: ['--threads', '"any"', 'from 1 to 16', '"many"'] },
  { kind: 'bad number', title: 'check --processes all', args: () => ['check', '--processes', 'all'], says: ['--processes', '"any"', 'from 1 to 8', '"all"'] },
  { kind: 'usage', title: 'check --processes any --reduction por', args: () => ['check', '--processes', 'any', '--reduction', 'por'], says: ['--processes any', '--reduction por', 'do not combine'] },
  { kind: 'usage', title: 'check --threads any --reduction por', args: () => ['check', '--threads', 'any', '--reduction', 'por'], says: ['--threads any', '--reduction por', 'do not combine'] },
  { kind: 'unknown name', title: 'check --reduction sleep', args: () => ['check', '--reduction', 'sleep'], says: ['--reduction', 'none, por or views', '"sleep"'] },
  { kind: 'usage', title: 'check --threads any --reduction views', args: () => ['check', '--threads', 'any', '--reduction', 'views'], says: ['--threads any', '--reduction views', 'do not combine'] },
  { kind: 'usage', title: 'check --config forks --threads any', args: () => ['check', '--config', 'forks', '--threads', 'any'], says: ['--threads any', 'one process', '--processes any'] },
  { kind: 'bad number', title: 'check --execs 1e3', args: () => ['check', '--execs', '1e3'], says: ['--execs', '"1e3"'] },
  { kind: 'unknown name', title: 'check --ops TOUCH,FOO', args: () => ['check', '--ops', 'TOUCH,FOO'], says: ['--ops', '"FOO"', 'is no op'] },
  { kind: 'inherited name', title: 'check --config toString', args: () => ['check', '--config', 'toString'], says: ['--config', '"toString"', 'unknown configuration'] },
  { kind: 'inherited name', title: 'check --config __proto__', args: () => ['check', '--config', '__proto__'], says: ['"__proto__"', 'unknown configuration'] },
  { kind: 'inherited name', title: 'check --variant constructor', args: () => ['check', '--variant', 'constructor'], says: ['--variant', '"constructor"'] },
  { kind: 'inherited name', title: 'diagram --coverage __proto__', args: () => ['diagram', '--coverage', '__proto__'], says: ['--coverage', '"__proto__"'] },
  { kind: 'inherited name', title: 'paths --config hasOwnProperty', args: () => ['paths', '--config', 'hasOwnProperty'], says: ['--config', '"hasOwnProperty"'] },
  { kind: 'inherited name', title: 'report --config valueOf', args: () => ['report', '--config', 'valueOf', '--out', at('report.html')], says: ['--config', '"valueOf"'] },
  { kind: 'inherited name', title: 'simulate --variant constructor', args: () => ['simulate', QUICKSTART, '--variant', 'constructor'], says: ['variant', '"constructor"', 'unknown variant'] },
  { kind: 'inherited name', title: 'simulate --platform toString', args: () => ['simulate', QUICKSTART, '--platform', 'toString'], says: ['--platform', '"toString"', 'neither a platform'] },
  { kind: 'inherited name', title: 'a scenario platform "toString"', ...simulateText('{"platform": "toString", "steps": []}'), says: ['field "platform"', 'unknown platform "toString"'] },
  { kind: 'inherited name', title: 'a scenario variant "__proto__"', ...simulateText('{"variant": "__proto__", "steps": []}'), says: ['field "variant"', 'unknown variant "__proto__"'] },
  { kind: 'inherited name', title: 'an op named constructor', ...simulateText(scenario(main('constructor'))), says: ['step 1', 'field "op"', 'unknown op "constructor"'] },
  { kind: 'inherited name', title: 'an op named toString', ...simulateText(scenario(main('toString'))), says: ['step 1', 'unknown op "toString"'] },
  { kind: 'inherited name', title: 'a step field hasOwnProperty', ...simulateText(scenario(main('TOUCH', { hasOwnProperty: 1 }))), says: ['step 1', 'field "hasOwnProperty"', 'not a field of op TOUCH'] },
  { kind: 'inherited name', title: 'a step field constructor', ...simulateText(scenario(main('REQ_PERM', { feature: 18, constructor: 1 }))), says: ['field "constructor"', 'not a field of op REQ_PERM'] },
  { kind: 'inherited name', title: 'a step field __proto__', ...simulateText('{"steps": [{"task": "main", "op": "TOUCH", "__proto__": 1}]}'), says: ['field "__proto__"', 'not a field'] },
  { kind: 'inherited name', title: 'a top-level field toString', ...simulateText('{"toString": 1, "steps": []}'), says: ['field "toString"', 'not a scenario field'] },

  // What a message echoes: depth, length, range, control characters, surrogates.
  { kind: 'echoed value', title: 'a step nested 10^5 deep', args: simulateFile('deep.json'), says: ['step 1', 'must be an object, got [[['] },
  { kind: 'echoed value', title: 'a field value nested 10^5 deep', args: simulateFile('deep-field.json'), says: ['field "feature"', 'must be an integer, got {"a": {"a": {…1 key}}}'] },
  { kind: 'echoed value', title: 'a 10 MB string', args: simulateFile('long.json'), says: ['field "size"', '(10000000 characters)'] },
  { kind: 'echoed value', title: '1e400', ...simulateText('{"steps": [{"task": "main", "op": "REQ_PERM", "feature": 1e400}]}'), says: ['field "feature"', 'out of range'], not: ['null'] },
  { kind: 'echoed value', title: 'a numeric task', ...simulateText(scenario({ task: 5, op: 'GET_PERM' })), says: ['step 1', 'field "task" must be a non-empty string, got 5'], not: ['missing'] },
  { kind: 'echoed value', title: 'ANSI escapes in a task name', ...simulateText(scenario(main('GET_PERM'), { task: '\u001b[31mred\u001b[0m', op: 'TOUCH' })), says: ['step 2', 'unknown task "\\u001b[31mred\\u001b[0m"'] },
  { kind: 'echoed value', title: 'a lone surrogate in a task name', ...simulateText('{"steps": [{"task": "\\ud800x", "op": "SIGRETURN"}]}'), says: ['task "\\ud800x"', 'not running a signal handler'] },
  { kind: 'echoed value', title: 'a right-to-left override in a field name', ...simulateText(scenario(main('TOUCH', { 'ab\u202ecd': 1 }))), says: ['field "ab\\u202ecd"'] },
  { kind: 'echoed value', title: 'ANSI escapes and a newline in an option value', args: () => ['check', '--config', '\u001b[2J\nx'], says: ['"\\u001b[2J\\nx"'] },
  { kind: 'echoed value', title: 'ANSI escapes in an unknown option', args: () => ['simulate', '--\u001b[31mred'], says: ['unknown option', '\\u001b[31mred'] },
  { kind: 'echoed value', title: 'a null variant is not the default', ...simulateText('{"variant": null, "steps": []}'), says: ['unknown variant null'] },
  { kind: 'echoed value', title: 'a header id that is not a string', ...simulateText('{"header": {"id": 5}, "steps": []}'), says: ['field "header.id" must be a string, got 5'] },

  // Reading input.
  { kind: 'input', title: 'simulate /dev/zero stops at the size limit', args: () => ['simulate', '/dev/zero'], says: ['/dev/zero', 'larger than 16 MiB'] },
  { kind: 'input', title: 'simulate --platform /dev/zero', args: () => ['simulate', QUICKSTART, '--platform', '/dev/zero'], says: ['--platform', 'larger than 16 MiB'] },
  { kind: 'input', title: 'a directory as FILE', args: () => ['simulate', dir], says: ['cannot read', 'EISDIR'] },
  { kind: 'input', title: 'a directory as standard input', args: () => ['simulate', '-'], stdin: () => ({ path: dir }), says: ['cannot read standard input', 'EISDIR'] },
  { kind: 'input', title: 'no FILE and an empty standard input', args: () => ['simulate'], stdin: () => ({ path: '/dev/null' }), says: ['missing argument FILE', 'standard input is empty'], not: ['JSON'] },
  { kind: 'input', title: '- and an empty standard input', args: () => ['simulate', '-'], says: ['standard input is empty'] },
  { kind: 'input', title: 'a missing file', args: () => ['simulate', at('nonexistent.json')], says: ['cannot read', 'ENOENT'] },
  { kind: 'input', title: 'invalid UTF-8 in a task name', args: simulateFile('latin1.json'), says: ['not valid UTF-8 at byte 22', '0xe9'] },
  { kind: 'input', title: 'invalid UTF-8 read by conform', args: () => ['conform', at('latin1.json')], says: ['not valid UTF-8 at byte 22'] },
  { kind: 'input', title: 'a JSON error on the third line', ...simulateText('{"steps": [\n  {"task": "main", "op": "GET_PERM"},\n  }\n]'), says: ['malformed JSON at line 3, column 3', 'unexpected "}"'] },
  { kind: 'input', title: 'a truncated JSON text', ...simulateText('{"steps": ['), says: ['malformed JSON at line 1, column 12', 'end of input'] },
  { kind: 'input', title: 'a malformed measurement file', args: () => ['simulate', QUICKSTART, '--platform', at('bad-measurement.json')], says: ['--platform', 'malformed JSON at line 2'] },

  // Bounds on the scenario and on the model.
  { kind: 'bounds', title: `${MAX_STEPS + 1} steps`, args: simulateFile('too-many-steps.json'), says: [`has ${MAX_STEPS + 1} steps`, `at most ${MAX_STEPS}`] },
  { kind: 'bounds', title: 'one thread too many', args: simulateFile('threads.json'), says: [`step ${MAX_THREADS_PER_PROCESS}`, 'field "child"', `at most ${MAX_THREADS_PER_PROCESS}`] },
  { kind: 'bounds', title: 'one process too many', args: simulateFile('processes.json'), says: [`step ${MAX_PROCESSES}`, 'field "child"', `at most ${MAX_PROCESSES}`] },
  { kind: 'bounds', title: 'one nested signal handler too many', args: simulateFile('signals.json'), says: [`step ${MAX_SIGNAL_DEPTH + 1}`, `${MAX_SIGNAL_DEPTH} nested signal handlers`] },

  // machines/manifest.json, in a copy of the project.
  { kind: 'manifest', title: 'manifest missing', main: () => join(at('missing-manifest'), 'src/cli/main.ts'), args: () => ['check', '--config', 'tiny', '--variant', 'linux', '--quiet'], says: ['cannot read machines/manifest.json', 'ENOENT'] },
  { kind: 'manifest', title: 'manifest malformed', main: () => join(at('malformed-manifest'), 'src/cli/main.ts'), args: () => ['check', '--config', 'tiny', '--variant', 'linux', '--quiet'], says: ['machines/manifest.json: malformed JSON at line 2'] },
  {
    kind: 'manifest',
    title: 'manifest wrongly typed',
    main: () => join(at('mistyped-manifest'), 'src/cli/main.ts'),
    args: () => ['check', '--config', 'tiny', '--variant', 'linux', '--quiet'],
    says: ['machines/manifest.json: field "configs.tiny.states.linux"', 'got "many"'],
  },

  // Handled before: usage errors and invalid steps.
  { kind: 'usage', title: 'an unknown option', args: () => ['simulate', QUICKSTART, '--frob'], says: ["unknown option '--frob'"] },
  { kind: 'usage', title: 'an extra operand', args: () => ['simulate', QUICKSTART, 'more.json'], says: ['unexpected argument "more.json"'] },
  { kind: 'step', title: 'a missing required field', ...simulateText(scenario(main('REQ_PERM'))), says: ['step 1', 'field "feature" is missing'] },
  { kind: 'step', title: 'a step that is a string', ...simulateText(scenario('TOUCH')), says: ['step 1: must be an object, got "TOUCH"'] },
  { kind: 'step', title: 'steps that are not an array', ...simulateText('{"steps": {"0": 1}}'), says: ['field "steps" must be an array, got {"0": 1}'] },
  { kind: 'step', title: 'a task that exited', ...simulateText(scenario(main('CLONE_THREAD', { child: 'w' }), { task: 'w', op: 'EXIT' }, { task: 'w', op: 'TOUCH' })), says: ['step 3', 'task "w" is no longer running'] },
];

/** A copy of the project's sources with machines/manifest.json replaced (or removed): check's own project root. */
function projectWithManifest(name: string, manifest: string | undefined): void {
  const copy = at(name);
  mkdirSync(copy);
  for (const part of ['package.json', 'machines', 'src']) cpSync(join(ROOT, part), join(copy, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  const file = join(copy, 'machines', 'manifest.json');
  if (manifest === undefined) rmSync(file);
  else writeFileSync(file, manifest);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'amxstate-bad-input-'));
  writeFileSync(at('deep.json'), `{"steps": [${'['.repeat(100_000)}${']'.repeat(100_000)}]}`);
  writeFileSync(at('deep-field.json'), `{"steps": [{"task": "main", "op": "REQ_PERM", "feature": ${'{"a": '.repeat(100_000)}1${'}'.repeat(100_000)}}]}`);
  writeFileSync(at('long.json'), scenario(main('SIGALTSTACK', { size: 'x'.repeat(10_000_000) })));
  // "é" in Latin-1: one byte 0xe9, which UTF-8 never has alone.
  writeFileSync(at('latin1.json'), Buffer.concat([Buffer.from('{"steps": [{"task": "r'), Buffer.from([0xe9]), Buffer.from('sum\u00e9", "op": "GET_PERM"}]}')]));
  writeFileSync(at('bad-measurement.json'), '{\n  "kernel": }');
  writeFileSync(at('too-many-steps.json'), scenario(...Array.from({ length: MAX_STEPS + 1 }, () => main('GET_PERM'))));
  writeFileSync(at('threads.json'), scenario(...Array.from({ length: MAX_THREADS_PER_PROCESS }, (_, i) => main('CLONE_THREAD', { child: `t${i}` }))));
  writeFileSync(at('processes.json'), scenario(...Array.from({ length: MAX_PROCESSES }, (_, i) => main('FORK', { child: `p${i}` }))));
  writeFileSync(at('signals.json'), scenario(...Array.from({ length: MAX_SIGNAL_DEPTH + 1 }, () => main('SIGNAL'))));
  projectWithManifest('missing-manifest', undefined);
  projectWithManifest('malformed-manifest', '{"configs": {\n');
  projectWithManifest('mistyped-manifest', JSON.stringify({ configs: { tiny: { states: { linux: 'many' } } }, verdicts: {} }));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('every bad input: exit 2, nothing on standard output, one line on standard error naming the command', () => {
  it.each(ROWS.map((r) => [`${r.kind}: ${r.title}`, r] as const))('%s', (_title, row) => {
    const args = row.args();
    const r = amxstate(args, row.stdin?.() ?? { text: '' }, row.main?.());
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    const lines = r.stderr.slice(0, -1).split('\n');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.startsWith(`amxstate: ${args[0]}: `), line).toBe(true);
    for (const words of row.says) expect(line).toContain(words);
    for (const words of row.not ?? []) expect(line).not.toContain(words);
    // Nothing raw reaches the terminal, and nothing long: no control character, no echoed megabyte.
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(line.length).toBeLessThanOrEqual(400);
    expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
    expect(r.status).toBe(2);
  });
});

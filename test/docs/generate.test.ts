// The docs' generated console blocks: a wrong output is reported with its doc, line and command;
// commands that depend on the machine, and failures a line does not show, are refused; the shell
// subset gives what bash, paste and util-linux column give.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkNamed, regenerateNamed } from '../../src/docs/blocks.js';
import { findOutputBlocks, machineDependence, regenerateOutputs } from '../../src/docs/outputs.js';
import { column, paste, type Runner, type RunResult } from '../../src/docs/shell.js';
import { chartNames, checkChartBlock, checkSynopsis, namesInStateTree } from '../../src/docs/tables.js';
import { projectRoot } from '../../src/files.js';

const ok = (stdout: string): RunResult => ({ stdout, stderr: '', status: 0 });

/** amxstate as a table of answers; node echoes its arguments. */
function fakeRunner(answers: Readonly<Record<string, RunResult>>, seen: string[] = []): Runner {
  return {
    amxstate: (args, stdin) => {
      const key = [...args, ...(stdin ? [`<${stdin.trim()}`] : [])].join(' ');
      seen.push(key);
      const r = answers[key];
      if (!r) throw new Error(`no answer for amxstate ${key}`);
      return r;
    },
    node: (args) => ok(`${args.join(' ')}\n`),
  };
}

const block = (label: string, body: string, indent = '') =>
  [`<!-- BEGIN output: ${label} -->`, '```console', ...body.split('\n'), '```', '<!-- END output -->'].map((l) => (l === '' ? l : indent + l)).join('\n');

describe('output blocks', () => {
  const runner = fakeRunner({
    'simulate a.json': ok('step  op\n1     GET_SUPP\n'),
    'simulate a.json --json': ok('{"step":1}\n'),
    'simulate -': { stdout: '', stderr: 'amxstate: step 1: field "feature" is missing\n', status: 2 },
    'simulate - <{"steps":[]}': ok('empty\n'),
  });

  it('reports a block whose output differs, naming the doc, the line and the command, and rewrites it', () => {
    const doc = ['# A doc', '', block('amxstate simulate a.json', '$ npx amxstate simulate a.json\nstep  op\n1     GET_PERM'), ''].join('\n');
    const r = regenerateOutputs('docs/wrong.md', doc, runner);
    expect(r.errors).toEqual([]);
    expect(r.stale).toHaveLength(1);
    expect(r.stale[0]).toMatch(/^docs\/wrong\.md:3: output of "amxstate simulate a\.json" is stale: line 3 of the block reads "1     GET_PERM", the command now prints "1     GET_SUPP"/);
    expect(r.text).toContain('$ npx amxstate simulate a.json\nstep  op\n1     GET_SUPP\n```');
    // Regenerated, it is up to date.
    expect(regenerateOutputs('docs/wrong.md', r.text, runner).stale).toEqual([]);
  });

  it('keeps a block that is right, indented ones included, and shows a failure only with echo "exit $?"', () => {
    const doc = [
      block('amxstate simulate a.json --json', '$ npx amxstate simulate a.json --json\n{"step":1}'),
      '',
      '* item',
      '',
      block(
        'amxstate simulate -',
        [
          `$ echo '{"steps":[{"task":"main","op":"REQ_PERM"}]}' | npx amxstate simulate -; echo "exit $?"`,
          'amxstate: step 1: field "feature" is missing',
          'exit 2',
          `$ npx amxstate simulate - <<'EOF'`,
          '{"steps":[]}',
          'EOF',
          'empty',
        ].join('\n'),
        '  ',
      ),
    ].join('\n');
    const answers = fakeRunner({
      'simulate a.json --json': ok('{"step":1}\n'),
      'simulate - <{"steps":[{"task":"main","op":"REQ_PERM"}]}': { stdout: '', stderr: 'amxstate: step 1: field "feature" is missing\n', status: 2 },
      'simulate - <{"steps":[]}': ok('empty\n'),
    });
    const r = regenerateOutputs('docs/right.md', doc, answers);
    expect(r).toMatchObject({ stale: [], errors: [], blocks: 2 });
    expect(r.text).toBe(doc);
  });

  it('refuses a failure the line does not show', () => {
    const doc = block('amxstate simulate -', '$ npx amxstate simulate -\nanything');
    const r = regenerateOutputs('docs/x.md', doc, runner);
    expect(r.errors).toEqual([expect.stringMatching(/^docs\/x\.md:1: .*exits with 2 and the line does not show it/)]);
  });

  it('leaves progress on standard error out of a command that succeeds', () => {
    const r = regenerateOutputs(
      'docs/x.md',
      block('amxstate simulate a.json', '$ npx amxstate simulate a.json'),
      fakeRunner({ 'simulate a.json': { stdout: 'table\n', stderr: 'amxstate simulate: 0.3 s\n', status: 0 } }),
    );
    expect(r.text).toContain('$ npx amxstate simulate a.json\ntable\n```');
  });

  it('refuses commands that depend on the machine or on time, and markers that name another command', () => {
    for (const args of [['platform'], ['conform'], ['exec-leak', '--json'], ['report'], ['check', '--timings'], ['simulate', 'a.json', '--platform', 'host'], ['paths', '--out', 'x']]) {
      expect(machineDependence(args), args.join(' ')).toBeDefined();
    }
    for (const args of [['simulate', '-'], ['check', '--variant', 'linux'], ['paths', '--json'], ['--help'], ['check', '--help'], ['simulate', 'a.json', '--platform', 'no-amx']]) {
      expect(machineDependence(args), args.join(' ')).toBeUndefined();
    }
    expect(() => findOutputBlocks('docs/x.md', block('amxstate platform', '$ npx amxstate platform'))).toThrow(/docs\/x\.md:1: .*amxstate platform is not generated/);
    expect(() => findOutputBlocks('docs/x.md', block('amxstate simulate b.json', '$ npx amxstate simulate a.json'))).toThrow(/does not run amxstate simulate b\.json/);
    expect(() => findOutputBlocks('docs/x.md', block('amxstate simulate a.json', '$ npx amxstate simulate a.json > out.txt'))).toThrow(/unsupported shell syntax/);
    expect(() => findOutputBlocks('docs/x.md', '<!-- BEGIN output: amxstate simulate a.json -->\n```\n$ npx amxstate simulate a.json\n```\n<!-- END output -->')).toThrow(/```console/);
  });

  it('joins two runs side by side as paste and util-linux column do', () => {
    // What `printf 'ab#c\nabcdef#\n#xy\n\nq  #r  \n' | column -t -s'#' -o ' | '` prints (util-linux 2.38).
    expect(column('ab#c\nabcdef#\n#xy\n\nq  #r  \n', '#', ' | ')).toBe('ab     | c\nabcdef | \n       | xy\nq      | r  \n');
    expect(paste('a\nb\nc\n', 'x\n', '#')).toBe('a#x\nb#\nc#\n');
    const doc = block('amxstate simulate a.json', `$ paste -d'#' <(npx amxstate simulate a.json) <(npx amxstate simulate a.json --json) | column -t -s'#' -o ' | '`);
    const r = regenerateOutputs('docs/x.md', doc, runner);
    expect(r.errors).toEqual([]);
    expect(r.text).toContain('step  op       | {"step":1}\n1     GET_SUPP | \n```');
  });
});

describe('generated and checked blocks', () => {
  it('reports a stale generated block and one that nothing generates', () => {
    const doc = '<!-- BEGIN generated: ops -->\nold\n<!-- END generated: ops -->\n\n<!-- BEGIN generated: other -->\nx\n<!-- END generated: other -->\n';
    const r = regenerateNamed('docs/x.md', doc, new Map([['ops', 'new']]));
    expect(r.stale).toEqual(['docs/x.md:1: generated block "ops" is stale']);
    expect(r.errors).toEqual(['docs/x.md:5: a generated block "other" that nothing generates']);
    expect(r.text).toContain('<!-- BEGIN generated: ops -->\nnew\n<!-- END generated: ops -->');
  });

  it('holds a guard table to the guards of its chart', () => {
    const linux = chartNames().get('linux')!;
    const task = linux.get('task')!.guards;
    expect(task).toContain('inheritsPermission');
    const table = ['| Guard | Predicate |', '|---|---|', ...task.filter((g) => g !== 'inheritsPermission').map((g) => `| \`${g}\` | x |`), '| `regsetIsShort` | gone |'].join('\n');
    expect(checkChartBlock('task-guards', table, linux)).toBe('lacks the guard(s) inheritsPermission; names regsetIsShort, which the chart does not have');
    const errors = checkNamed('docs/model.md', `intro\n<!-- BEGIN checked: task-guards -->\n${table}\n<!-- END checked: task-guards -->\n`, (name, body) => checkChartBlock(name, body, linux));
    expect(errors).toEqual([expect.stringMatching(/^docs\/model\.md:2: checked block "task-guards" lacks the guard\(s\) inheritsPermission/)]);
  });

  it('holds an action table to the actions of its chart, parameters and shared rows included', () => {
    const linux = chartNames().get('linux')!;
    const [first, second, ...rest] = linux.get('task')!.actions;
    const table = ['| Action | Effect |', '|---|---|', `| \`${first}\`, \`${second}(x)\` | y |`, ...rest.map((a) => `| \`${a}\` | y |`)].join('\n');
    expect(checkChartBlock('task-actions', table, linux)).toBeUndefined();
    expect(checkChartBlock('task-actions', table.replace(`\`${first}\``, '`raiseOldSignal`'), linux)).toBe(`lacks the action(s) ${first}; names raiseOldSignal, which the chart does not have`);
    expect(checkChartBlock('task-chart', table, linux)).toMatch(/^nothing checks a block "task-chart"/);
  });

  it('holds a state tree to the states of its chart: each line, and the children it lists', () => {
    const tree = [
      'process (parallel)',
      '├── hostPermission       choosing → unpermitted | permitted',
      '├── guestPermission      choosing → unpermitted | permitted',
      '├── guestPermissionLock  choosing → unlocked | locked',
      '├── sigillDisposition    choosing → default | skip | requestPermission | ignored',
      '└── sigsegvDisposition   choosing → default | skip | ignored',
    ].join('\n');
    const linux = chartNames().get('linux')!;
    expect(checkChartBlock('process-states', tree, linux)).toBeUndefined();
    expect(checkChartBlock('process-states', tree.replace('requestPermission', 'askPermission').replace('└── sigsegvDisposition   choosing → default | skip | ignored', ''), linux)).toBe(
      'lacks the state(s) requestPermission, sigsegvDisposition; names askPermission, which the chart does not have',
    );
    expect(namesInStateTree('task\n└── signal        choosing → running | handling.{onThreadStack, onAltstack}\n└── exited (final)    the thread called exit')).toEqual([
      'task',
      'signal',
      'choosing',
      'running',
      'handling',
      'onThreadStack',
      'onAltstack',
      'exited',
    ]);
  });

  it('holds a synopsis to the options of the commands', () => {
    const options = new Map([['simulate', ['--json', '--variant']]]);
    expect(checkSynopsis('synopsis', 'npx amxstate simulate [FILE] [--variant V] [--json]', options)).toBeUndefined();
    expect(checkSynopsis('synopsis', 'npx amxstate simulate [--variant V] [--jsn]', options)).toBe('lacks simulate --json; gives simulate --jsn, which it does not have');
    expect(checkSynopsis('synopsis-simulate', 'npx amxstate simulate [--variant V] [--json]', options)).toBeUndefined();
    expect(checkSynopsis('synopsis-simulate', 'npx amxstate simulate [--variant V] [--json]\nnpx amxstate simulat', options)).toBe('names amxstate simulat, which does not exist');
  });
});

describe('npm run docs:check on a doc with a wrong block', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amxstate-docs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const root = projectRoot();
  // --from-source: amxstate from src/ through tsx, so that this never races test/cli's build of dist/.
  const generate = (...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'src', 'docs', 'generate.ts'), '--from-source', ...args], {
      cwd: root,
      encoding: 'utf8',
    });

  it('fails naming the doc and the block, and npm run docs repairs it', () => {
    const doc = join(dir, 'wrong.md');
    writeFileSync(doc, ['# Wrong', '', block('amxstate simulate scenarios/quickstart.json', '$ npx amxstate simulate scenarios/quickstart.json\nstep  task  op\n1     main  NOTHING'), ''].join('\n'));
    const check = generate('--check', doc);
    expect(check.status, check.stderr).toBe(1);
    expect(check.stderr).toContain(`${doc}:3: output of "amxstate simulate scenarios/quickstart.json" is stale`);
    expect(generate(doc).status).toBe(0);
    const fixed = readFileSync(doc, 'utf8');
    expect(fixed).toContain('9     worker  TOUCH         SIGSEGV (SI_KERNEL)  yes\n```');
    const again = generate('--check', doc);
    expect(again.status, again.stderr).toBe(0);
  }, 240_000);
});

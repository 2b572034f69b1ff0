// The command line as a newcomer meets it: help for the program and every command, the version, a
// suggestion for a typo, one line for every usage error, and output that cannot be written.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/program.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(ROOT, 'src/cli/main.ts');

function amxstate(args: readonly string[], shell?: string) {
  const r = shell
    ? spawnSync('bash', ['-c', `"${TSX}" "${MAIN}" ${args.join(' ')} ${shell}; echo "status \${PIPESTATUS[0]}" >&2`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    : spawnSync(TSX, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the command line', () => {
  it('--help lists every command and the exit statuses, on standard output, exit 0', () => {
    const r = amxstate(['--help']);
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name} `, 'm'));
    expect(r.stdout).toContain('exit status: 0 ok');
    expect(r.stderr).toBe('');
  });

  it('<command> --help describes every option the command declares', () => {
    for (const c of COMMANDS.filter((x) => ['check', 'conform', 'simulate'].includes(x.name))) {
      const r = amxstate([c.name, '--help']);
      expect(r.status).toBe(0);
      for (const o of c.options) expect(r.stdout).toContain(o.flags);
    }
  });

  it('--version is the version of package.json', () => {
    const r = amxstate(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it.each([
    [[], /^amxstate: missing command \(one of check, .*\); amxstate --help describes them$/],
    [['chek'], /^amxstate: unknown command 'chek' \(did you mean check\?\)$/],
    [['check', '--jsn'], /^amxstate: check: unknown option '--jsn' \(did you mean --json\?\)$/],
    [['check', '--config'], /^amxstate: check: option '--config <NAME>' argument missing$/],
    [['check', 'extra'], /^amxstate: check: unexpected argument "extra"$/],
    [['simulate', 'a.json', 'b.json'], /^amxstate: simulate: unexpected argument "b.json" \(simulate takes \[FILE\]\)$/],
  ])('%j is one line on standard error and exit 2', (args, line) => {
    const r = amxstate(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr.split('\n')[0]).toMatch(line);
  });

  it('a reader that goes away ends the command quietly (status 141, nothing on standard error)', () => {
    const r = amxstate(['diagram', '--format', 'svg'], '| head -c 10 > /dev/null');
    expect(r.stderr).toBe('status 141\n');
  });

  it('a full disk is one line and exit 5, not a stack trace or a verdict status', () => {
    const r = amxstate(['simulate', 'scenarios/quickstart.json'], '> /dev/full');
    expect(r.stderr).toBe('amxstate: cannot write standard output: ENOSPC\nstatus 5\n');
  });
});

// A command of the built CLI run with standard output and standard error on a terminal, which
// util-linux script(1) makes: what a user at a terminal sees, progress line included.

import { spawnSync } from 'node:child_process';

/** The text the terminal received (line ends as "\n") and the command's exit status. */
export function onTerminal(cli: string, cwd: string, args: readonly string[]): { text: string; status: number } {
  const r = spawnSync('script', ['-qec', `"${process.execPath}" "${cli}" ${args.join(' ')}; echo "status $?"`, '/dev/null'], { cwd, encoding: 'utf8', timeout: 60_000 });
  const text = r.stdout.replace(/\r\n/g, '\n');
  const status = Number(/status (\d+)\n?$/.exec(text)?.[1]);
  return { text: text.replace(/status \d+\n?$/, ''), status };
}

/** Whether this machine lacks script(1): the tests that need a terminal are then skipped. */
export const NO_TERMINAL = spawnSync('script', ['--version'], { encoding: 'utf8' }).error !== undefined;

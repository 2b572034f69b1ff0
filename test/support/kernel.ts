// Test support: whether the native executor can run here, and why not (one line for the skip).

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureExecutor, KernelUnavailableError } from '../../src/kernel/executor.js';

export function executorUnavailable(): string | undefined {
  try {
    ensureExecutor();
    return undefined;
  } catch (e) {
    if (e instanceof KernelUnavailableError) return e.message;
    throw e;
  }
}

/**
 * A program in `dir` that disables its altstack and execs its arguments: what it starts inherits
 * sas_ss_flags SS_DISABLE (exec keeps them), unlike a program a shell starts.
 */
export function disabledAltstackLauncher(dir: string): string {
  const launcher = join(dir, 'disabled-altstack');
  writeFileSync(
    `${launcher}.c`,
    '#include <signal.h>\n#include <unistd.h>\nint main(int c, char **v) { stack_t d = {.ss_flags = SS_DISABLE}; sigaltstack(&d, 0); (void)c; execv(v[1], v + 1); return 127; }\n',
  );
  const built = spawnSync(process.env['CC'] ?? 'cc', ['-o', launcher, `${launcher}.c`], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`cannot build ${launcher}: ${built.stderr}`);
  return launcher;
}

// The native executor (native/amxexec.c): built with the machine's C compiler at first use, cached by
// the hash of its source, and run one scenario per process under a time limit.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeParents, projectRoot } from '../files.js';

/** This machine cannot run scenarios on its kernel: not Linux on x86-64, or no C compiler. */
export class KernelUnavailableError extends Error {}

export function executorSource(): string {
  return join(projectRoot(), 'native', 'amxexec.c');
}

/** The flags every build uses, the emitted selftests' Makefile included. */
// -z now binds every libc symbol at start: a lazy binding inside a handler would XSAVE the whole register
// state onto its (possibly small) altstack (observed row 13's _dl_runtime_resolve).
export const EXECUTOR_CFLAGS = ['-O2', '-Wall', '-fno-stack-protector', '-Wl,-z,now'] as const;

/** The path of a built executor for the current source, building it if needed. */
export function ensureExecutor(): string {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new KernelUnavailableError(`the kernel executor needs Linux on x86-64; this is ${process.platform} on ${process.arch}`);
  const source = executorSource();
  // The build is named by what makes it: the source and the flags.
  const hash = createHash('sha256').update(readFileSync(source)).update(EXECUTOR_CFLAGS.join(' ')).digest('hex').slice(0, 12);
  const binary = join(projectRoot(), 'build', `amxexec-${hash}`);
  if (existsSync(binary)) return binary;
  makeParents(binary);
  // Concurrent first uses (parallel test files) each build their own file and rename it into place.
  const scratch = `${binary}.${process.pid}.tmp`;
  const cc = process.env['CC'] ?? 'cc';
  const r = spawnSync(cc, [...EXECUTOR_CFLAGS, '-o', scratch, source], { encoding: 'utf8' });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new KernelUnavailableError(
      code === 'ENOENT' ? `no C compiler: "${cc}" was not found (install gcc, or set CC)` : `cannot run the C compiler "${cc}": ${code ?? r.error.message}`,
    );
  }
  if (r.status !== 0) {
    rmSync(scratch, { force: true });
    const first = (r.stderr || r.stdout).split('\n').find((l) => l.includes('error')) ?? `exit ${r.status}`;
    throw new KernelUnavailableError(`the C compiler "${cc}" failed on native/amxexec.c: ${first.trim()}`);
  }
  renameSync(scratch, binary);
  return binary;
}

export interface ExecutorRun {
  /** Standard output: one JSON observation per executed step. */
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
  /** The executor itself was killed at the time limit (the scenario processes die with it). */
  readonly timedOut: boolean;
  readonly wallMs: number;
}

/** amxexec run's status when its process cannot start a scenario as the model does (native/amxexec.c). */
const EXECUTOR_UNFIT_STATUS = 4;

/** Runs the executor on input in its line form; the scenario's processes end when it does. */
export function runExecutor(input: string, timeLimitMs: number): ExecutorRun {
  const binary = ensureExecutor();
  const started = performance.now();
  const r = spawnSync(binary, ['run', '-'], { input, encoding: 'utf8', timeout: timeLimitMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 });
  const wallMs = performance.now() - started;
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw new KernelUnavailableError(`cannot run the executor: ${r.error.message}`);
  // Comparing would report the kernel diverging where only the executor's start differs from the model's.
  if (r.status === EXECUTOR_UNFIT_STATUS) throw new KernelUnavailableError((r.stderr ?? '').trim().replace(/^amxexec: /, ''));
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status, timedOut: r.signal === 'SIGKILL', wallMs };
}

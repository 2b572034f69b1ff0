// The exec leak where it can be seen: does execve() free a thread's large AMX buffer? Observed row 9c
// says no (fpu_flush_thread -> fpstate_reset repoints fpstate without a vfree). The executor measures it
// on the running kernel, at most 50 execs a run, and the model of `linux` and `linux-fixed` predicts it.

import { spawnSync } from 'node:child_process';
import { SPR_LINUX_6_18, type PlatformProfile } from '../../machines/platform.js';
import type { VariantName } from '../../machines/variants.js';
import { toScenario } from '../scenario/format.js';
import { modelFor, simulate } from '../simulate/simulate.js';
import { ensureExecutor, KernelUnavailableError } from './executor.js';

export const MAX_EXECS = 50;
/** One expanded fpstate: a 16 KiB vmalloc area of 3 pages (observed row 9b); VmallocUsed grows by 12 KiB. */
const KB_PER_BUFFER = 12;

export interface ExecLeakMeasurement {
  readonly amxUsable: boolean;
  readonly execs: number;
  /** VmallocUsed (kB) before, after the touch+exec children, after the touch+exit controls. */
  readonly vmallocUsedKb?: readonly [number, number, number];
  /** Expanded-fpstate areas in /proc/vmallocinfo at the same three moments; null when not root. */
  readonly fpstateAreas?: readonly [number, number, number] | null;
  readonly error?: string;
}

export function measureExecLeak(execs: number): ExecLeakMeasurement {
  const binary = ensureExecutor();
  const r = spawnSync(binary, ['--exec-leak', String(execs)], { encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
  if (r.error || r.status !== 0) throw new KernelUnavailableError(`measuring the exec leak failed: ${r.error?.message ?? r.stderr.trim()}`);
  return JSON.parse(r.stdout) as ExecLeakMeasurement;
}

/** Buffers the model says N touch+exec children orphan, per variant. */
export function predictedLeaks(variant: VariantName, execs: number, platform: PlatformProfile = SPR_LINUX_6_18): number {
  const steps: Record<string, string | number | boolean>[] = [{ task: 'main', op: 'REQ_PERM', feature: 18 }];
  for (let i = 1; i <= execs; i++)
    steps.push(
      { task: 'main', op: 'FORK', child: `c${i}` },
      { task: `c${i}`, op: 'LDTILECFG', palette: 1 },
      { task: `c${i}`, op: 'TOUCH' },
      { task: `c${i}`, op: 'EXEC' },
      { task: `c${i}`, op: 'EXIT' },
    );
  const run = simulate(toScenario({ steps }), modelFor(variant, platform));
  return run.finalState.buffers.leaked;
}

export type LeakVerdict = 'exec leaks' | 'exec frees' | 'inconclusive';

export interface LeakJudgement {
  readonly orphaned: number;
  readonly control: number;
  /** Where the counts come from: the vmalloc areas (exact, root) or VmallocUsed / 12 KiB (noisy). */
  readonly basis: 'fpstate areas' | 'VmallocUsed';
  readonly verdict: LeakVerdict;
}

/** Reads a measurement: exec leaks when nearly every exec left its buffer and nearly no control did. */
export function judgeExecLeak(m: ExecLeakMeasurement): LeakJudgement | null {
  if (!m.amxUsable || m.execs === 0) return null;
  const areas = m.fpstateAreas;
  const kb = m.vmallocUsedKb;
  const [orphaned, control, basis] =
    areas != null
      ? [areas[1] - areas[0], areas[2] - areas[1], 'fpstate areas' as const]
      : kb
        ? [Math.round((kb[1] - kb[0]) / KB_PER_BUFFER), Math.round((kb[2] - kb[1]) / KB_PER_BUFFER), 'VmallocUsed' as const]
        : [0, 0, 'VmallocUsed' as const];
  const small = Math.max(1, Math.floor(m.execs / 10));
  const verdict: LeakVerdict = control > small ? 'inconclusive' : orphaned >= m.execs - small ? 'exec leaks' : orphaned <= small ? 'exec frees' : 'inconclusive';
  return { orphaned, control, basis, verdict };
}

// What the benchmark prints, apart from the running: how two times compare, and the scenario that
// simulate's figure runs. Kept out of run.ts (which benchmarks as soon as it is loaded) for the tests.

import { DEFAULT_PLATFORM } from '../machines/platform.js';
import type { Scenario, Step } from '../src/scenario/format.js';

/**
 * How the explorer compares with a baseline that took `baseline` seconds where the explorer took
 * `explorer`: "3.2x faster", or "2.0x slower" when it is slower (never "0.5x faster").
 */
export function speedup(baseline: number, explorer: number): string {
  if (!(baseline > 0) || !(explorer > 0)) return 'not comparable (a time of zero)';
  const ratio = baseline / explorer;
  return ratio >= 1 ? `${ratio.toFixed(1)}x faster` : `${(1 / ratio).toFixed(1)}x slower`;
}

/**
 * How one version's CPU times compare with another's, by the fastest round of each (the rounds the
 * machine's other work disturbed least): "0.65 (4.53 s against 6.93 s, the fastest round of each)".
 */
export function relativeCpu(ours: readonly number[], theirs: readonly number[]): string {
  const a = Math.min(...ours);
  const b = Math.min(...theirs);
  if (ours.length === 0 || theirs.length === 0 || !(a > 0) || !(b > 0)) return 'not comparable (no round, or a time of zero)';
  return `${(a / b).toFixed(2)} (${a.toFixed(2)} s against ${b.toFixed(2)} s, the fastest round of each)`;
}

/**
 * `count` simple steps on `linux`: GET_PERM and GET_SUPP alternating on the one task `main`, built in
 * memory (no file, no parsing), for what simulate costs per step.
 */
export function simpleScenario(count: number): Scenario {
  const steps: Step[] = Array.from({ length: count }, (_, i) => ({ op: i % 2 === 0 ? 'GET_PERM' : 'GET_SUPP', task: 'main', fields: {} }));
  return { variant: 'linux', platform: DEFAULT_PLATFORM.name, steps };
}

// One scenario on the model and on the kernel, compared step by step.

import type { Observation } from '../model/observation.js';

/** What the executor printed for a step: the fields of an Observation, and those it could not see. */
export interface KernelObservation {
  readonly step: number;
  readonly op: string;
  readonly task?: string;
  readonly outcome: string;
  readonly unobserved?: readonly string[];
  readonly [field: string]: unknown;
}

/** What the model predicts for a step: an observation, or that the step's task no longer runs. */
export type Prediction = Observation | { readonly step: number; readonly op: string; readonly task?: string; readonly outcome: 'gone' };

export interface Divergence {
  readonly step: number;
  /** The fields whose values differ, or that only one side shows. */
  readonly fields: readonly string[];
  readonly model: Prediction;
  readonly kernel: KernelObservation | null;
}

/** The first step where the two runs differ, over the fields the kernel could observe; null when none. */
export function firstDivergence(model: readonly Prediction[], kernel: readonly KernelObservation[]): Divergence | null {
  for (const [i, m] of model.entries()) {
    const k = kernel[i];
    if (!k || k.step !== m.step) return { step: m.step, fields: ['step'], model: m, kernel: k ?? null };
    const hidden = new Set(['unobserved', ...(k.unobserved ?? [])]);
    const mf = m as unknown as Record<string, unknown>;
    const kf = k as unknown as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(mf), ...Object.keys(kf)])].filter((f) => !hidden.has(f));
    const fields = keys.filter((f) => mf[f] !== kf[f]);
    if (fields.length > 0) return { step: m.step, fields, model: m, kernel: k };
  }
  return null;
}

/** The executor's standard output as observations; a line that is not one is an error in the executor. */
export function parseKernelObservations(stdout: string): KernelObservation[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const o = JSON.parse(l) as KernelObservation;
      if (typeof o !== 'object' || o === null || typeof o.step !== 'number' || typeof o.outcome !== 'string') throw new Error(`executor printed a line that is not an observation: ${l.slice(0, 200)}`);
      return o;
    });
}

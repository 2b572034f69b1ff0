// Conformance: each scenario runs on the model of the measured platform and on the running kernel
// (native/amxexec.c), and the two runs are compared step by step.

import type { PlatformProfile } from '../../machines/platform.js';
import type { PlatformMeasurement } from '../../machines/measurement.js';
import { encodeForExecutor } from '../kernel/encode.js';
import { runExecutor } from '../kernel/executor.js';
import { ScenarioError, type Scenario } from '../scenario/format.js';
import { modelFor } from '../simulate/simulate.js';
import { firstDivergence, parseKernelObservations, type Divergence, type KernelObservation, type Prediction } from './compare.js';

export interface ConformCase {
  /** The scenario's id: its header id, or its file name. */
  readonly id: string;
  readonly file?: string;
  readonly scenario: Scenario;
}

export type CaseStatus = 'agree' | 'diverge';

export interface CaseResult {
  readonly id: string;
  readonly file?: string;
  readonly status: CaseStatus;
  readonly steps: number;
  /** Steps made on the kernel and compared. */
  readonly compared: number;
  /** The first step the kernel cannot make here, and why: the steps from it on are the model's alone. */
  readonly modelOnly?: { readonly step: number; readonly op: string; readonly why: string };
  readonly divergence?: Divergence;
  /** What the executor said on standard error, when it said anything. */
  readonly executorError?: string;
  readonly wallMs: number;
}

export interface ConformOptions {
  /** Per step: a step that has not answered by then is reported as a timeout. */
  readonly stepTimeoutMs: number;
}

/**
 * The model's observations, with one rule the simulator does not need: a step naming a task that no
 * longer runs (exited, killed, stuck in a refault) predicts `gone`, as the executor reports it.
 */
export function predict(scenario: Scenario, platform: PlatformProfile): Prediction[] {
  // The kernel is the merged design: whatever variant a file names, it is held against `linux`.
  const model = modelFor('linux', platform);
  const first = scenario.steps.find((s) => s.task !== undefined);
  if (!first?.task) throw new ScenarioError('scenario: no step names a task, so there is no main thread');
  let state = model.initial(first.task);
  // Children that a gone task would have created never exist: their steps are gone too. A stuck task
  // is gone for the executor too, which ends a hang after its hundredth refault.
  const unborn = new Set<string>();
  const stuck = new Set<string>();
  return scenario.steps.map((step, i): Prediction => {
    const r = unborn.has(step.task ?? '') || stuck.has(step.task ?? '') ? undefined : model.step(state, step, i + 1);
    if (r?.ok) {
      state = r.state;
      if (r.observation.hang === true && r.observation.task !== undefined) stuck.add(r.observation.task);
      return r.observation;
    }
    if (r === undefined || /is no longer running|is stuck in an endless/.test(r.error)) {
      const child = step.fields['child'];
      if (typeof child === 'string') unborn.add(child);
      return { step: i + 1, op: step.op, ...(step.task !== undefined ? { task: step.task } : {}), outcome: 'gone' };
    }
    throw new ScenarioError(r.error, i + 1, r.field);
  });
}

export function runCase(c: ConformCase, platform: PlatformProfile, host: PlatformMeasurement, options: ConformOptions): CaseResult {
  const predicted = predict(c.scenario, platform);
  const encoded = encodeForExecutor(c.scenario.steps, predicted, platform, host, options.stepTimeoutMs);
  const expected = predicted.slice(0, encoded.executed);
  const base = { id: c.id, ...(c.file !== undefined ? { file: c.file } : {}), steps: c.scenario.steps.length, compared: encoded.executed, ...(encoded.modelOnly ? { modelOnly: encoded.modelOnly } : {}) };
  if (encoded.executed === 0) return { ...base, status: 'agree', wallMs: 0 };
  // The executor's own bound: every step's timeout, and a margin for starting and ending.
  const run = runExecutor(encoded.text, encoded.executed * options.stepTimeoutMs + 10_000);
  let kernel: KernelObservation[];
  let executorError = run.stderr.trim();
  try {
    kernel = parseKernelObservations(run.stdout);
  } catch (e) {
    kernel = [];
    executorError = `${(e as Error).message}${executorError ? `; ${executorError}` : ''}`;
  }
  if (run.timedOut) executorError = `the executor was stopped after ${Math.round(run.wallMs)} ms${executorError ? `; ${executorError}` : ''}`;
  const divergence = firstDivergence(expected, kernel);
  return {
    ...base,
    status: divergence ? 'diverge' : 'agree',
    ...(divergence ? { divergence } : {}),
    ...(executorError ? { executorError } : {}),
    wallMs: run.wallMs,
  };
}

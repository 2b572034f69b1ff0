// Test support: runs steps written in the shared scenario format through toScenario() and simulate(),
// and compares the observations with expectations written down from the kernel references.

import { expect } from 'vitest';
import type { VariantName } from '../../machines/variants.js';
import type { SiCode } from '../../machines/task-types.js';
import { isAlive, type BufferCounts, type SystemState, type TilesReport } from '../../src/model/state.js';
import type { Observation } from '../../src/model/observation.js';
import { toScenario, type Scenario, type StepValue } from '../../src/scenario/format.js';
import { modelFor, simulate } from '../../src/simulate/simulate.js';

/** One step as a scenario file spells it: `{ task, op, ...fields }`. */
export type RawStep = Readonly<Record<string, StepValue>>;

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly observations: readonly Observation[];
  readonly finalState: SystemState;
  /** The buffer accounting after each step: index 0 is after step 1. */
  readonly buffersAfter: readonly BufferCounts[];
}

/**
 * Parses and simulates `steps` in `variant` on a named platform (the scenario's `platform` field;
 * spr-linux-6.18 when absent); throws ScenarioError like `amxstate simulate` would.
 */
export function runSteps(steps: readonly RawStep[], variant: VariantName = 'linux', platform?: string): ScenarioRun {
  const scenario = toScenario({ variant, ...(platform !== undefined ? { platform } : {}), steps });
  const model = modelFor(scenario.variant, scenario.platform);
  const { observations, finalState } = simulate(scenario, model);
  // simulate() reports only the final state; the prefixes give the accounting after every step.
  const buffersAfter = scenario.steps.map((_, i) => simulate({ ...scenario, steps: scenario.steps.slice(0, i + 1) }, model).finalState.buffers);
  return { scenario, observations, finalState, buffersAfter };
}

/**
 * What one step must show. Keys left out are not checked; `null` means "must be absent"
 * (no si_code, no fatal flag, no handler).
 */
export interface StepExpectation {
  readonly step: number;
  readonly outcome?: string;
  readonly si_code?: SiCode | null;
  readonly fatal?: boolean | null;
  readonly handler?: 'default' | 'skip' | 'request-permission' | null;
  /** An endless refault: the handler returned to an instruction that faults again. */
  readonly hang?: boolean | null;
  readonly bitmap?: string;
  readonly tiles?: TilesReport;
  readonly frameHasTiles?: boolean;
  readonly buffer?: 'default' | 'large';
  readonly leakedBuffers?: number;
  /** Expanded buffers still in /proc/vmallocinfo after the step: allocated − freed (orphaned ones stay). */
  readonly vmalloc?: number;
}

export interface RunExpectation {
  readonly steps: readonly StepExpectation[];
  /** Which tasks still run at the end. */
  readonly alive?: Readonly<Record<string, boolean>>;
  /** Which tasks are stuck in an endless SIGILL refault at the end. */
  readonly stuck?: Readonly<Record<string, boolean>>;
}

type Checked = Record<string, string | number | boolean | null>;

/** The observation's fields named by `exp`, absent ones as null, in the same shape as `exp`. */
function actualFor(run: ScenarioRun, exp: StepExpectation): Checked {
  const obs = run.observations[exp.step - 1];
  if (!obs) throw new Error(`expectation for step ${exp.step}, but the scenario has ${run.observations.length} steps`);
  const actual: Checked = { step: obs.step };
  for (const key of Object.keys(exp)) {
    if (key === 'step') continue;
    if (key === 'vmalloc') {
      const b = run.buffersAfter[exp.step - 1]!;
      actual[key] = b.allocated - b.freed;
      continue;
    }
    const value = (obs as unknown as Readonly<Record<string, string | number | boolean | undefined>>)[key];
    actual[key] = value ?? null;
  }
  return actual;
}

/**
 * Checks every expectation. Steps without one must have succeeded quietly (outcome ok, no signal),
 * so a setup step that fails in the model fails the test too.
 */
export function expectRun(run: ScenarioRun, want: RunExpectation): void {
  const expected = new Map(want.steps.map((e) => [e.step, e]));
  expect(expected.size, 'two expectations name the same step').toBe(want.steps.length);
  run.observations.forEach((obs, i) => {
    const exp = expected.get(i + 1);
    const label = `step ${i + 1} (${obs.task ?? '-'} ${obs.op})`;
    if (exp) {
      expect(actualFor(run, exp), label).toEqual({ ...exp });
    } else {
      expect({ outcome: obs.outcome, fatal: obs.fatal ?? null }, `${label}: a step without expectation must succeed`).toEqual({ outcome: 'ok', fatal: null });
    }
  });
  for (const e of want.steps) expect(e.step, 'expectation beyond the last step').toBeLessThanOrEqual(run.observations.length);
  for (const [name, alive] of Object.entries(want.alive ?? {})) {
    const task = run.finalState.processes.flatMap((p) => p.tasks).find((t) => t.name === name);
    expect(task, `task ${name} exists`).toBeDefined();
    expect(task ? isAlive(task) : null, `task ${name} alive at the end`).toBe(alive);
  }
  for (const [name, stuck] of Object.entries(want.stuck ?? {})) {
    const task = run.finalState.processes.flatMap((p) => p.tasks).find((t) => t.name === name);
    expect(task, `task ${name} exists`).toBeDefined();
    expect(task ? task.stuckOn !== null : null, `task ${name} stuck at the end`).toBe(stuck);
  }
}

/** One step of a lenient run: what the model observed, or that the step could not run there. */
export type LenientStep =
  | { readonly ok: true; readonly observation: Observation; readonly state: SystemState }
  | { readonly ok: false; readonly field: string | undefined };

/**
 * Runs `steps` one at a time through the model's step function, carrying on past steps the model
 * refuses (unknown or dead task, SIGRETURN outside a handler...). For generated scenarios.
 */
export function runLenient(steps: readonly RawStep[], variant: VariantName, mainTask = 'main', platform?: string): readonly LenientStep[] {
  const model = modelFor(variant, platform);
  let state = model.initial(mainTask);
  return steps.map((raw, i) => {
    const [parsed] = toScenario({ variant, steps: [raw] }).steps;
    const r = model.step(state, parsed!, i + 1);
    if (!r.ok) return { ok: false, field: r.field };
    state = r.state;
    return { ok: true, observation: r.observation, state: r.state };
  });
}

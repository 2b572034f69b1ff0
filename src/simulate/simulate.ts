// Runs a scenario through a variant's model: one observation per step, or the first invalid step.

import { PLATFORMS, DEFAULT_PLATFORM } from '../../machines/platform.js';
import { buildVariants, type VariantName } from '../../machines/variants.js';
import type { Scenario } from '../scenario/format.js';
import { ScenarioError } from '../scenario/format.js';
import { SystemModel, type Observation, type SystemState } from '../model/system.js';

export interface SimulationRun {
  readonly observations: readonly Observation[];
  readonly finalState: SystemState;
}

/** Builds the model for a variant and platform name; one per run, its caches die with it. */
export function modelFor(variant: VariantName, platformName?: string, options?: { memoise: boolean }): SystemModel {
  const platform = (platformName ? PLATFORMS[platformName] : undefined) ?? DEFAULT_PLATFORM;
  return new SystemModel(buildVariants(platform)[variant], platform, options);
}

/** Simulates every step; throws ScenarioError naming the first step that cannot run. */
export function simulate(scenario: Scenario, model: SystemModel = modelFor(scenario.variant, scenario.platform)): SimulationRun {
  const first = scenario.steps.find((s) => s.task !== undefined);
  if (!first?.task) throw new ScenarioError('scenario: no step names a task, so there is no main thread');
  let state = model.initial(first.task);
  const observations: Observation[] = [];
  scenario.steps.forEach((step, i) => {
    const r = model.step(state, step, i + 1);
    if (!r.ok) throw new ScenarioError(r.error, i + 1, r.field);
    state = r.state;
    observations.push(r.observation);
  });
  return { observations, finalState: state };
}

// Runs a scenario through a variant's model: one observation per step, or the first invalid step.

import { PLATFORMS, DEFAULT_PLATFORM, type PlatformProfile } from '../../machines/platform.js';
import { buildVariants, type VariantName } from '../../machines/variants.js';
import type { Scenario } from '../scenario/format.js';
import { ScenarioError } from '../scenario/format.js';
import { SystemModel, type ModelOptions } from '../model/system.js';
import type { Observation } from '../model/observation.js';
import type { SystemState } from '../model/state.js';
import { ownEntry } from '../own.js';

export interface SimulationRun {
  readonly observations: readonly Observation[];
  readonly finalState: SystemState;
}

/** The profile a name of PLATFORMS stands for, or the profile itself; the default when none is given. */
export function platformProfile(platform?: PlatformProfile | string): PlatformProfile {
  if (platform === undefined) return DEFAULT_PLATFORM;
  if (typeof platform !== 'string') return platform;
  const named = ownEntry(PLATFORMS, platform);
  if (!named) throw new Error(`unknown platform "${platform}" (one of ${Object.keys(PLATFORMS).join(', ')})`);
  return named;
}

/** Builds the model for a variant on a platform (a profile or a name of PLATFORMS); one per run, its caches die with it. */
export function modelFor(variant: VariantName, platform?: PlatformProfile | string, options?: ModelOptions): SystemModel {
  const profile = platformProfile(platform);
  return new SystemModel(buildVariants(profile)[variant], profile, options);
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

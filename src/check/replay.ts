// Replays a scenario through the model and finds the first step at which a property breaks:
// the other half of the counterexample round trip (check --json -> simulate).

import type { Property } from '../explore/property.js';
import type { SystemModel } from '../model/system.js';
import type { Scenario } from '../scenario/format.js';
import { ScenarioError } from '../scenario/format.js';

/** The 1-based step at which `property` first fails on this scenario, or null if it never does. */
export function firstViolation(model: SystemModel, scenario: Scenario, property: Property): number | null {
  const first = scenario.steps.find((s) => s.task !== undefined);
  if (!first?.task) throw new ScenarioError('scenario: no step names a task, so there is no main thread');
  let state = model.initial(first.task);
  for (const [i, step] of scenario.steps.entries()) {
    const r = model.step(state, step, i + 1);
    if (!r.ok) throw new ScenarioError(r.error, i + 1, r.field);
    if (!property.holds({ before: state, step, observation: r.observation, after: r.state, model })) return i + 1;
    state = r.state;
  }
  return null;
}

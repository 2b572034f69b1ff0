// Replays a scenario through the model and finds the first step at which a property breaks:
// the other half of the counterexample round trip (check --json -> simulate).

import type { Property } from '../explore/property.js';
import type { SystemModel } from '../model/system.js';
import type { Scenario } from '../scenario/format.js';
import { ScenarioError } from '../scenario/format.js';

/**
 * The 1-based step at which `property` first fails on this scenario, or null if it never does. For a
 * property "eventually": the step after which an obligation is open that stays open to the end (a
 * lasso's cycle keeps it open forever).
 */
export function firstViolation(model: SystemModel, scenario: Scenario, property: Property): number | null {
  const first = scenario.steps.find((s) => s.task !== undefined);
  if (!first?.task) throw new ScenarioError('scenario: no step names a task, so there is no main thread');
  let state = model.initial(first.task);
  /** For "eventually": the step that opened each obligation still open. */
  const opened = new Map<string, number>();
  for (const [i, step] of scenario.steps.entries()) {
    const r = model.step(state, step, i + 1);
    if (!r.ok) throw new ScenarioError(r.error, i + 1, r.field);
    if (property.kind === 'eventually') {
      const open = new Set(property.open(r.state));
      for (const task of opened.keys()) if (!open.has(task)) opened.delete(task);
      for (const task of open) if (!opened.has(task)) opened.set(task, i + 1);
    } else if (!property.holds({ before: state, step, observation: r.observation, after: r.state, model })) return i + 1;
    state = r.state;
  }
  return opened.size > 0 ? Math.min(...opened.values()) : null;
}

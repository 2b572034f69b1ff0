// What a variant changes in a chart, as marks against `linux`: every transition whose guard or actions
// name something the variant replaces (machine.provide()), also inside a named guard that composes
// others, every transition triggered by an op only the variant has (extraOps), and every state or
// transition the variant has and `linux` has not, or has with other guards, actions or targets. Pure:
// builds the charts and compares their graphs.

import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { buildVariants, isVariantName, type Variant, type VariantName } from '../../machines/variants.js';
import { allStates, chartGraph, guardNames, type ChartGraph, type GraphTransition } from '../model/chart-graph.js';
import { guardText } from './labels.js';
import type { Mark, Marks } from './marks.js';

export type ChartName = 'task' | 'process';

export class UnknownVariantError extends Error {
  override readonly name = 'UnknownVariantError';
}

function resolve(variant: VariantName | Variant): Variant {
  if (typeof variant !== 'string') return variant;
  if (!isVariantName(variant)) throw new UnknownVariantError(`unknown variant "${variant}"`);
  return buildVariants(DEFAULT_PLATFORM)[variant];
}

/** What makes two transitions with the same id the same: targets, guard, actions. */
function shape(t: GraphTransition): string {
  return JSON.stringify([t.targets, t.reenter, t.guard ? guardText(t.guard) : null, t.actions]);
}

/**
 * The names a transition uses: its guards (inside compositions too, and inside the named compositions
 * of `definitions`, a chart's guardDefinitions) and its actions.
 */
export function namesUsed(t: GraphTransition, definitions: ChartGraph['guardDefinitions'] = new Map()): string[] {
  return [...guardNames(t.guard, definitions), ...t.actions];
}

/** Marks of `changed` on `graph` for what differs from `base`, given the replaced names and new events. */
export function diffMarks(graph: ChartGraph, base: ChartGraph, replaced: readonly string[], newEvents: readonly string[]): Marks {
  const marks = new Map<string, Mark>();
  const baseStates = new Set(allStates(base).map((s) => s.id));
  for (const s of allStates(graph)) if (!baseStates.has(s.id)) marks.set(s.id, 'changed');
  const baseTransitions = new Map(base.transitions.map((t) => [t.id, shape(t)]));
  for (const t of graph.transitions) {
    const changed =
      namesUsed(t, graph.guardDefinitions).some((n) => replaced.includes(n)) ||
      newEvents.includes(t.event) ||
      baseTransitions.get(t.id) !== shape(t);
    if (changed) marks.set(t.id, 'changed');
  }
  return marks;
}

/**
 * The marks that show what `variant` changes in its task or process chart against `linux`; empty for
 * `linux` itself. Ids are those of chartGraph() of the variant's chart.
 */
export function variantMarks(variant: VariantName | Variant, machine: ChartName, base: Variant = resolve('linux')): Marks {
  const v = resolve(variant);
  const newEvents = v.extraOps.filter((op) => !base.extraOps.includes(op));
  return diffMarks(chartGraph(v[machine]), chartGraph(base[machine]), v.replaces[machine], newEvents);
}

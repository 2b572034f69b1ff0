// Which states and transitions of the charts a run took. The system model runs charts through pure
// transition() calls, which do not say which transitions fired; so each distinct chart step of a run
// is replayed once in an inspected actor, and XState's own microsteps name the transitions.

import { createActor, type AnyStateMachine } from 'xstate';
import type { Variant } from '../../machines/variants.js';
import { activeStateIds, allStates, chartGraph, transitionIdOf, type ChartGraph } from '../diagram/chart-graph.js';
import type { Marks } from '../diagram/marks.js';
import type { ChartStepTrace } from '../model/system.js';

export type ChartName = ChartStepTrace['chart'];

/** The state ids a run entered and the transition ids it fired, per chart. */
export interface Coverage {
  readonly states: Readonly<Record<ChartName, ReadonlySet<string>>>;
  readonly transitions: Readonly<Record<ChartName, ReadonlySet<string>>>;
}

interface Fired {
  readonly states: readonly string[];
  readonly transitions: readonly string[];
}

type Microstep = { type: string; snapshot?: { value: unknown }; _transitions?: Parameters<typeof transitionIdOf>[0][] };

/** What one chart step entered and fired, by replaying it in an actor that reports its microsteps. */
export function firedBy(machine: AnyStateMachine, step: ChartStepTrace): Fired {
  const states = new Set<string>();
  const transitions = new Set<string>();
  const inspect = (e: unknown) => {
    const m = e as Microstep;
    if (m.type !== '@xstate.microstep' && m.type !== '@xstate.snapshot') return;
    if (m.snapshot) for (const id of activeStateIds(machine.id, m.snapshot.value)) states.add(id);
    for (const t of m._transitions ?? []) {
      const id = transitionIdOf(t);
      if (id !== undefined) transitions.add(id);
    }
  };
  const origin = step.origin;
  const actor =
    'input' in origin
      ? createActor(machine, { input: origin.input, inspect })
      : createActor(machine, { snapshot: origin.from as never, inspect });
  actor.start();
  if ('event' in origin) actor.send(origin.event);
  for (const id of activeStateIds(machine.id, actor.getSnapshot().value)) states.add(id);
  actor.stop();
  return { states: [...states].sort(), transitions: [...transitions].sort() };
}

/** Accumulates coverage over chart steps; a step seen before (memoised charts share them) costs nothing. */
export class CoverageRecorder {
  private readonly seen = new WeakSet<ChartStepTrace>();
  private readonly states: Record<ChartName, Set<string>> = { task: new Set(), process: new Set() };
  private readonly transitions: Record<ChartName, Set<string>> = { task: new Set(), process: new Set() };

  constructor(private readonly variant: Variant) {}

  /** Records the steps; returns the transition ids (as `chart:id`) fired here for the first time. */
  record(trace: readonly ChartStepTrace[]): string[] {
    const fresh: string[] = [];
    for (const step of trace) {
      if (this.seen.has(step)) continue;
      this.seen.add(step);
      const fired = firedBy(this.variant[step.chart], step);
      for (const id of fired.states) this.states[step.chart].add(id);
      for (const id of fired.transitions) {
        if (this.transitions[step.chart].has(id)) continue;
        this.transitions[step.chart].add(id);
        fresh.push(`${step.chart}:${id}`);
      }
    }
    return fresh;
  }

  coverage(): Coverage {
    return { states: this.states, transitions: this.transitions };
  }
}

/** Marks for an overlay: every state and transition of the chart, covered or not. */
export function coverageMarks(graph: ChartGraph, chart: ChartName, coverage: Coverage): Marks {
  const marks = new Map<string, 'covered' | 'uncovered'>();
  for (const s of allStates(graph)) marks.set(s.id, coverage.states[chart].has(s.id) ? 'covered' : 'uncovered');
  for (const t of graph.transitions) marks.set(t.id, coverage.transitions[chart].has(t.id) ? 'covered' : 'uncovered');
  return marks;
}

export interface CoverageSummary {
  readonly chart: ChartName;
  readonly states: { readonly covered: number; readonly total: number };
  readonly transitions: { readonly covered: number; readonly total: number };
  readonly uncoveredTransitions: readonly string[];
}

export function summarise(variant: Variant, chart: ChartName, coverage: Coverage): CoverageSummary {
  const graph = chartGraph(variant[chart]);
  const states = allStates(graph).map((s) => s.id);
  const transitions = graph.transitions.map((t) => t.id);
  return {
    chart,
    states: { covered: states.filter((id) => coverage.states[chart].has(id)).length, total: states.length },
    transitions: { covered: transitions.filter((id) => coverage.transitions[chart].has(id)).length, total: transitions.length },
    uncoveredTransitions: transitions.filter((id) => !coverage.transitions[chart].has(id)),
  };
}

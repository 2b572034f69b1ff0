// Which states and transitions of the charts a run took. The system model runs charts through pure
// transition() calls, which do not say which transitions fired; so each distinct chart step of a run
// is replayed once in an inspected actor, and XState's own microsteps name the transitions.

import { createActor, type AnyStateMachine } from 'xstate';
import type { Variant } from '../../machines/variants.js';
import { activeStateIds, allStates, chartGraph, transitionIdOf } from '../model/chart-graph.js';
import type { ChartStepTrace } from '../model/chart.js';

export type ChartName = ChartStepTrace['chart'];

/**
 * The state ids a run entered, the transition ids it fired, and the abstract states it reached (a
 * chart's whole state value, as JSON: which leaf of every region), per chart.
 */
export interface Coverage {
  readonly states: Readonly<Record<ChartName, ReadonlySet<string>>>;
  readonly transitions: Readonly<Record<ChartName, ReadonlySet<string>>>;
  readonly configurations: Readonly<Record<ChartName, ReadonlySet<string>>>;
}

interface Fired {
  readonly states: readonly string[];
  readonly transitions: readonly string[];
  readonly configuration: string;
}

/** What a chart step newly covered, as `chart:<transition id>` and `chart:<state value JSON>`. */
export interface FreshCoverage {
  readonly transitions: readonly string[];
  readonly configurations: readonly string[];
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
  const value = actor.getSnapshot().value;
  for (const id of activeStateIds(machine.id, value)) states.add(id);
  actor.stop();
  return { states: [...states].sort(), transitions: [...transitions].sort(), configuration: JSON.stringify(value) };
}

/** Accumulates coverage over chart steps; a step seen before (memoised charts share them) costs nothing. */
export class CoverageRecorder {
  private readonly seen = new WeakSet<ChartStepTrace>();
  private readonly firedCache = new WeakMap<ChartStepTrace, Fired>();
  private readonly states: Record<ChartName, Set<string>> = { task: new Set(), process: new Set() };
  private readonly transitions: Record<ChartName, Set<string>> = { task: new Set(), process: new Set() };
  private readonly configurations: Record<ChartName, Set<string>> = { task: new Set(), process: new Set() };

  constructor(private readonly variant: Variant) {}

  /** Records the steps; returns what they covered for the first time. */
  record(trace: readonly ChartStepTrace[]): FreshCoverage {
    const transitions: string[] = [];
    const configurations: string[] = [];
    for (const step of trace) {
      if (this.seen.has(step)) continue;
      this.seen.add(step);
      const fired = this.firedOf(step);
      for (const id of fired.states) this.states[step.chart].add(id);
      for (const id of fired.transitions) if (addNew(this.transitions[step.chart], id)) transitions.push(`${step.chart}:${id}`);
      if (addNew(this.configurations[step.chart], fired.configuration)) configurations.push(`${step.chart}:${fired.configuration}`);
    }
    return { transitions, configurations };
  }

  /** The transition ids one chart step fired (the chart steps are interned, so each is replayed once). */
  transitionsOf(step: ChartStepTrace): readonly string[] {
    return this.firedOf(step).transitions;
  }

  private firedOf(step: ChartStepTrace): Fired {
    let fired = this.firedCache.get(step);
    if (!fired) {
      fired = firedBy(this.variant[step.chart], step);
      this.firedCache.set(step, fired);
    }
    return fired;
  }

  coverage(): Coverage {
    return { states: this.states, transitions: this.transitions, configurations: this.configurations };
  }
}

function addNew(set: Set<string>, item: string): boolean {
  if (set.has(item)) return false;
  set.add(item);
  return true;
}

export interface CoverageSummary {
  readonly chart: ChartName;
  readonly states: { readonly covered: number; readonly total: number };
  readonly transitions: { readonly covered: number; readonly total: number };
  readonly uncoveredTransitions: readonly string[];
  /** Abstract states reached; the chart does not say how many are reachable, so there is no total. */
  readonly configurations: number;
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
    configurations: coverage.configurations[chart].size,
  };
}

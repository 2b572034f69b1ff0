// Test-path generation: from an exhaustive exploration, the shortest scenario that takes each chart
// transition (or reaches each abstract chart state, or takes each pair of consecutive transitions of
// one chart instance) the configuration can reach. This is the
// generated suite a conformance run executes, and its coverage is what the coverage overlay paints.

import type { VariantName } from '../../machines/variants.js';
import { DEFAULT_PLATFORM, type PlatformProfile } from '../../machines/platform.js';
import { CoverageRecorder, type Coverage, type FreshCoverage } from '../coverage/coverage.js';
import type { ExploreConfig } from '../explore/config.js';
import { explore, MAIN_TASK, type ExploredTransition } from '../explore/explore.js';
import type { ChartStepTrace, TraceOwner } from '../model/chart.js';
import type { SystemState } from '../model/state.js';
import { scenarioPlatform, stepToJson, type ScenarioFile, type Step } from '../scenario/format.js';
import { searchModel } from '../check/check.js';

export interface GeneratedTest {
  readonly scenario: ScenarioFile;
  /**
   * What this path is the shortest way to: chart transitions (`task:<id>`, `process:<id>`) under the
   * `transition` criterion, abstract states (`task:<state value JSON>`) under `state`.
   */
  readonly covers: readonly string[];
}

/**
 * Every reachable chart transition; every reachable abstract chart state (a whole state value); or
 * every pair of transitions that one chart instance (a task, or a process) takes in two consecutive
 * chart steps, as reached along the search's shortest paths.
 */
export const CRITERIA = ['transition', 'state', 'transition-pair'] as const;
export type Criterion = (typeof CRITERIA)[number];

export interface Suite {
  readonly tests: readonly GeneratedTest[];
  readonly coverage: Coverage;
  /** Under `transition-pair`: the pairs covered, as `chart:<t1> > <t2>`. */
  readonly pairs?: ReadonlySet<string>;
}

/** Which chart instance a trace entry stepped: `task:<name>` or `process:<index>`. */
function instanceOf(owner: TraceOwner, chart: 'task' | 'process', step: Step, after: SystemState): string | undefined {
  const pi = after.processes.findIndex((p) => p.tasks.some((t) => t.name === step.task));
  if (owner === 'process') return `process:${pi}`;
  if (owner === 'other') {
    // Only a fork or vfork steps another process's charts: the child's birth.
    const child = step.fields['child'];
    return chart === 'task' ? `task:${String(child)}` : `process:${after.processes.length - 1}`;
  }
  const name = after.processes[pi]?.tasks[owner]?.name;
  return name === undefined ? undefined : `task:${name}`;
}

/**
 * Pair tracking along the search: for every kept state, each instance's transitions of its last chart
 * step on the BFS path to it; a transition of the search adds the pairs (last, this) of every instance
 * it steps. Pairs reachable only along a longer path are not found: the figure is a lower bound.
 */
class PairTracker {
  private readonly last: Map<string, readonly string[]>[] = [];
  readonly pairs = new Set<string>();

  constructor(private readonly recorder: CoverageRecorder, initialTrace: readonly ChartStepTrace[], initialOwners: readonly TraceOwner[], initial: SystemState) {
    this.last[0] = this.advance(new Map(), initialTrace, initialOwners, { op: 'START', task: MAIN_TASK, fields: {} }, initial, []);
  }

  private advance(from: ReadonlyMap<string, readonly string[]>, trace: readonly ChartStepTrace[], owners: readonly TraceOwner[], step: Step, after: SystemState, fresh: string[]): Map<string, readonly string[]> {
    const next = new Map(from);
    trace.forEach((chartStep, k) => {
      const instance = instanceOf(owners[k] ?? 'other', chartStep.chart, step, after);
      const fired = this.recorder.transitionsOf(chartStep);
      if (instance === undefined || fired.length === 0) return;
      for (const t1 of next.get(instance) ?? [])
        for (const t2 of fired) {
          const pair = `${chartStep.chart}:${t1} > ${t2}`;
          if (!this.pairs.has(pair)) {
            this.pairs.add(pair);
            fresh.push(pair);
          }
        }
      next.set(instance, fired);
    });
    return next;
  }

  /** The pairs this transition covers for the first time. */
  visit(t: ExploredTransition): string[] {
    const fresh: string[] = [];
    const next = this.advance(this.last[t.from] ?? new Map(), t.trace, t.owners, t.step, t.after, fresh);
    if (t.fresh && t.to !== undefined) this.last[t.to] = next;
    return fresh;
  }
}

/** One shortest path per reachable target of the criterion, paths that end alike merged; BFS order. */
export function generateSuite(
  variant: VariantName,
  config: ExploreConfig,
  criterion: Criterion = 'transition',
  platform: PlatformProfile = DEFAULT_PLATFORM,
  options: { readonly onProgress?: (states: number, depth: number) => void } = {},
): Suite {
  const model = searchModel(variant, platform, config);
  const recorder = new CoverageRecorder(model.variant);
  // What starting the first process and thread takes, every test takes: the first test claims it.
  const targets = (fresh: FreshCoverage) => (criterion === 'state' ? fresh.configurations : fresh.transitions);
  let initial = criterion === 'transition-pair' ? (recorder.record(model.initialTrace()), []) : targets(recorder.record(model.initialTrace()));
  const pairs = criterion === 'transition-pair' ? new PairTracker(recorder, model.initialTrace(), ['process', 0], model.initial(MAIN_TASK)) : undefined;
  const byPath = new Map<string, { steps: Step[]; covers: string[] }>();
  explore(model, config, {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onTransition: (t) => {
      // A step that runs no chart (OOM_BEGIN, OOM_END) covers nothing, and names no thread to start.
      if (t.trace.length === 0) {
        if (pairs) pairs.visit(t);
        return;
      }
      const covered = targets(recorder.record(t.trace));
      const fresh = [...initial, ...(pairs ? pairs.visit(t) : covered)];
      if (fresh.length === 0) return;
      initial = [];
      const steps = t.path();
      const key = JSON.stringify(steps);
      const known = byPath.get(key);
      if (known) known.covers.push(...fresh);
      else byPath.set(key, { steps, covers: fresh });
    },
  });
  const tests = [...byPath.values()].map(({ steps, covers }, i): GeneratedTest => {
    const id = `${variant}--${platform === DEFAULT_PLATFORM ? '' : `${platform.name.replace(/[^A-Za-z0-9.-]+/g, '_')}--`}${config.name}--${criterion}--${String(i + 1).padStart(3, '0')}`;
    const scenario: ScenarioFile = {
      variant,
      ...scenarioPlatform(platform),
      header: {
        id,
        question:
          criterion === 'transition'
            ? `Does the kernel take ${covers.join(', ')} as the model does?`
            : criterion === 'transition-pair'
              ? `Does the kernel take the transition pair(s) ${covers.join(', ')} as the model does?`
            : `Does the kernel reach ${covers.length} new abstract state(s) as the model does? ${covers.join('; ')}`,
        expected: 'each step as `amxstate simulate` reports it',
        source: `generated by amxstate paths --criterion ${criterion} from configuration ${config.name}${platform === DEFAULT_PLATFORM ? '' : ` on platform ${platform.name}`}`,
      },
      steps: steps.map(stepToJson),
    };
    return { scenario, covers };
  });
  return { tests, coverage: recorder.coverage(), ...(pairs ? { pairs: pairs.pairs } : {}) };
}

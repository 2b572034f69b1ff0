import { describe, expect, it } from 'vitest';
import { CoverageRecorder, summarise } from '../../src/coverage/coverage.js';
import { coverageMarks } from '../../src/diagram/coverage-marks.js';
import { chartGraph } from '../../src/model/chart-graph.js';
import { CONFIGS } from '../../src/explore/config.js';
import { generateSuite } from '../../src/paths/suite.js';
import { toScenario } from '../../src/scenario/format.js';
import { modelFor, simulate } from '../../src/simulate/simulate.js';
import { explore } from '../../src/explore/explore.js';

const linux = generateSuite('linux', CONFIGS['default']!);

/** Replays the suite's scenarios through a fresh model, recording what the charts really did. */
function replayCoverage(variant: 'linux' | 'no-xfd', tests: typeof linux.tests) {
  const model = modelFor(variant);
  const recorder = new CoverageRecorder(model.variant);
  for (const t of tests) {
    const scenario = toScenario(JSON.parse(JSON.stringify(t.scenario)));
    let state = model.initial('main');
    recorder.record(model.initialTrace());
    for (const step of scenario.steps) {
      const r = model.next(state, step);
      if (!r.ok) throw new Error(`${t.scenario.header.id}: ${r.error}`);
      recorder.record(r.trace);
      state = r.state;
    }
  }
  return recorder.coverage();
}

describe('the generated suite', () => {
  it('replays through the model and covers exactly what the exploration covered', () => {
    const replayed = replayCoverage('linux', linux.tests);
    for (const chart of ['task', 'process'] as const) {
      expect([...replayed.transitions[chart]].sort()).toEqual([...linux.coverage.transitions[chart]].sort());
      expect([...replayed.states[chart]].sort()).toEqual([...linux.coverage.states[chart]].sort());
    }
  });

  it('names in `covers` only transitions of the charts, each claimed by one test', () => {
    const model = modelFor('linux');
    const ids = new Set([
      ...chartGraph(model.variant.task).transitions.map((t) => `task:${t.id}`),
      ...chartGraph(model.variant.process).transitions.map((t) => `process:${t.id}`),
    ]);
    const claimed = linux.tests.flatMap((t) => t.covers);
    expect(claimed.filter((id) => !ids.has(id))).toEqual([]);
    expect(new Set(claimed).size).toBe(claimed.length);
    const covered = [...linux.coverage.transitions.task].map((id) => `task:${id}`).concat([...linux.coverage.transitions.process].map((id) => `process:${id}`));
    expect(claimed.sort()).toEqual(covered.sort());
  });

  it('takes the lazy allocation, and tells reachable from unreachable rules apart', () => {
    const covered = linux.coverage.transitions.task;
    // The first tile touch of a permitted thread allocates its buffer (E9).
    expect(covered.has('task.alive.buffer.permitted:TOUCH:3')).toBe(true);
    // Tile data is lost only where XFD never traps: not on linux, but on no-xfd.
    expect(covered.has('task.alive.tileData:tiles.dataLost:0')).toBe(false);
    expect(generateSuite('no-xfd', CONFIGS['default']!).coverage.transitions.task.has('task.alive.tileData:tiles.dataLost:0')).toBe(true);
  });

  it('is a set of shortest paths: each test is as long as the shortest path of the search that takes what it claims', () => {
    const model = modelFor('linux');
    const recorder = new CoverageRecorder(model.variant);
    // What starting the first thread takes is claimed by the first test, whatever its length.
    const atStart = new Set(recorder.record(model.initialTrace()).transitions);
    // Over every transition of the breadth-first search, not only the first to take a chart transition:
    // the fewest steps after which each chart transition is taken.
    const fewest = new Map<string, number>();
    explore(model, CONFIGS['default']!, {
      onTransition: (t) => {
        const steps = t.path().length;
        for (const chartStep of t.trace)
          for (const id of recorder.transitionsOf(chartStep)) {
            const claim = `${chartStep.chart}:${id}`;
            if (steps < (fewest.get(claim) ?? Number.POSITIVE_INFINITY)) fewest.set(claim, steps);
          }
      },
    });
    for (const t of linux.tests)
      for (const claim of t.covers.filter((c) => !atStart.has(c))) expect(t.scenario.steps.length, `${t.scenario.header.id}: ${claim}`).toBe(fewest.get(claim));
    expect(linux.tests.flatMap((t) => t.covers).filter((c) => !atStart.has(c)).length).toBeGreaterThan(30);
  });

  it('takes what each test claims first at its last step: no prefix of it takes a claim, and tests come shortest first', () => {
    const model = modelFor('linux');
    const initial = new CoverageRecorder(model.variant);
    initial.record(model.initialTrace());
    const atStart = initial.coverage();
    for (const t of linux.tests) {
      expect(t.scenario.steps.length).toBeGreaterThan(0);
      const prefix = toScenario(JSON.parse(JSON.stringify({ ...t.scenario, steps: t.scenario.steps.slice(0, -1) })));
      const recorder = new CoverageRecorder(model.variant);
      let state = model.initial('main');
      for (const step of prefix.steps) {
        const r = model.next(state, step);
        if (!r.ok) throw new Error(`${t.scenario.header.id}: ${r.error}`);
        recorder.record(r.trace);
        state = r.state;
      }
      const before = recorder.coverage();
      for (const claim of t.covers) {
        const [chart, id] = [claim.slice(0, claim.indexOf(':')), claim.slice(claim.indexOf(':') + 1)] as ['task' | 'process', string];
        // What starting the first thread takes is claimed by the first test, whatever its length.
        if (atStart.transitions[chart].has(id)) continue;
        expect(before.transitions[chart].has(id), `${t.scenario.header.id}: ${claim} already taken before its last step`).toBe(false);
      }
    }
    const lengths = linux.tests.map((t) => t.scenario.steps.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
  });

  it('paints every state and transition of the chart as covered or not', () => {
    const model = modelFor('linux');
    const graph = chartGraph(model.variant.task);
    const marks = coverageMarks(graph, 'task', linux.coverage);
    const summary = summarise(model.variant, 'task', linux.coverage);
    expect([...marks.values()].filter((m) => m === 'covered').length).toBe(summary.states.covered + summary.transitions.covered);
    expect(marks.size).toBe(summary.states.total + summary.transitions.total);
    expect(summary.uncoveredTransitions.length).toBe(summary.transitions.total - summary.transitions.covered);
  });
});

describe('the generated suite under the state criterion', () => {
  const byState = generateSuite('linux', CONFIGS['default']!, 'state');

  it('reaches every abstract task state that the exploration holds in some system state', () => {
    const held = new Set<string>();
    explore(modelFor('linux'), CONFIGS['default']!, {
      onState: (_key, state) => {
        for (const p of state.processes) for (const t of p.tasks) held.add(JSON.stringify(t.snapshot.value));
      },
    });
    expect(held.size).toBeGreaterThan(10);
    expect([...held].filter((v) => !byState.coverage.configurations.task.has(v))).toEqual([]);
  });

  it('claims each abstract state it reaches exactly once, and replays through simulate', () => {
    const claimed = byState.tests.flatMap((t) => t.covers);
    expect(new Set(claimed).size).toBe(claimed.length);
    const reached = [...byState.coverage.configurations.task].map((v) => `task:${v}`).concat([...byState.coverage.configurations.process].map((v) => `process:${v}`));
    expect([...claimed].sort()).toEqual(reached.sort());
    for (const t of byState.tests) expect(() => simulate(toScenario(JSON.parse(JSON.stringify(t.scenario))))).not.toThrow();
  });
});

describe('the transition-pair suite', () => {
  const pairsSuite = generateSuite('linux', CONFIGS['default']!, 'transition-pair');

  /** The pairs a scenario takes, replayed step by step: per task (by name) and process (by index). */
  function replayPairs(scenarioJson: unknown): Set<string> {
    const model = modelFor('linux');
    const recorder = new CoverageRecorder(model.variant);
    const scenario = toScenario(JSON.parse(JSON.stringify(scenarioJson)));
    let state = model.initial('main');
    const last = new Map<string, readonly string[]>();
    const seen = new Set<string>();
    const take = (instance: string, chart: string, fired: readonly string[]) => {
      if (fired.length === 0) return;
      for (const a of last.get(instance) ?? []) for (const b of fired) seen.add(`${chart}:${a} > ${b}`);
      last.set(instance, fired);
    };
    const [processStart, taskStart] = model.initialTrace();
    take('process:0', 'process', recorder.transitionsOf(processStart!));
    take('task:main', 'task', recorder.transitionsOf(taskStart!));
    for (const step of scenario.steps) {
      const r = model.next(state, step);
      if (!r.ok) throw new Error(r.error);
      const pi = r.state.processes.findIndex((p) => p.tasks.some((t) => t.name === step.task));
      r.trace.forEach((c, k) => {
        const owner = r.owners[k]!;
        const instance =
          owner === 'process' ? `process:${pi}` : owner === 'other' ? (c.chart === 'task' ? `task:${String(step.fields['child'])}` : `process:${r.state.processes.length - 1}`) : `task:${r.state.processes[pi]!.tasks[owner]!.name}`;
        take(instance, c.chart, recorder.transitionsOf(c));
      });
      state = r.state;
    }
    return seen;
  }

  it('takes, in each scenario, every pair the scenario claims to cover', () => {
    for (const t of pairsSuite.tests) {
      const taken = replayPairs(t.scenario);
      for (const pair of t.covers) expect(taken.has(pair), `${t.scenario.header.id}: ${pair}`).toBe(true);
    }
  });

  it('claims each covered pair in exactly one scenario, and covers more pairs than there are transitions', () => {
    const claimed = pairsSuite.tests.flatMap((t) => t.covers);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(new Set(claimed)).toEqual(pairsSuite.pairs);
    expect(pairsSuite.pairs!.size).toBeGreaterThan(linux.coverage.transitions.task.size + linux.coverage.transitions.process.size);
    // A pair is two transitions of one chart, each of them covered by the transition suite.
    for (const pair of pairsSuite.pairs!) {
      const [chart, rest] = [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)] as ['task' | 'process', string];
      for (const t of rest.split(' > ')) expect(linux.coverage.transitions[chart].has(t), pair).toBe(true);
    }
  });

  it('leaves the transition suite as it was', () => {
    expect(linux.tests.length).toBe(generateSuite('linux', CONFIGS['default']!, 'transition').tests.length);
    expect(linux.pairs).toBeUndefined();
  });
});

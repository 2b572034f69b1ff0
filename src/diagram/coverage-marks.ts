// What a run covered, as marks on a chart: every state and transition, covered or not. It lives with
// the diagrams because marks are how a picture is painted; coverage itself only records what ran.

import { allStates, type ChartGraph } from '../model/chart-graph.js';
import type { ChartName, Coverage } from '../coverage/coverage.js';
import type { Marks } from './marks.js';

/** Marks for an overlay: every state and transition of the chart, covered or not. */
export function coverageMarks(graph: ChartGraph, chart: ChartName, coverage: Coverage): Marks {
  const marks = new Map<string, 'covered' | 'uncovered'>();
  for (const s of allStates(graph)) marks.set(s.id, coverage.states[chart].has(s.id) ? 'covered' : 'uncovered');
  for (const t of graph.transitions) marks.set(t.id, coverage.transitions[chart].has(t.id) ? 'covered' : 'uncovered');
  return marks;
}

// Marks: what an overlay says about a state or a transition of a diagram (changed by a variant, covered
// or not covered by a run), keyed by the ids of chart-graph.ts. The renderers decide how each looks.

export type Mark = 'changed' | 'covered' | 'uncovered';

/** State ids (`task.alive.buffer.allocated`) and transition ids (`task.alive:EXEC:0`) to their mark. */
export type Marks = ReadonlyMap<string, Mark>;

/** Legend order, and the legend's words unless a caller gives its own. */
export const MARK_KINDS: readonly Mark[] = ['changed', 'covered', 'uncovered'];

export const DEFAULT_LEGEND: Readonly<Record<Mark, string>> = {
  changed: 'changed',
  covered: 'covered',
  uncovered: 'not covered',
};

/** The kinds that occur in `marks`, in legend order: a legend lists only what the picture shows. */
export function kindsUsed(marks: Marks): Mark[] {
  const used = new Set(marks.values());
  return MARK_KINDS.filter((k) => used.has(k));
}

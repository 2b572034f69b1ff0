// The cycle of a lasso: from a state where a task's obligation is open (a faulting instruction not yet
// completed), the shortest cycle of that task's own steps back to the same state (up to symmetry)
// along which the obligation stays open. With the prefix the search found to the state, it is a
// behaviour in which the task runs forever and the obligation is never met: a counterexample to a
// property "eventually" under weak fairness for that task alone (docs/checking.md says why that
// fairness, and why this search finds every such cycle of the model).

import type { SystemModel } from '../model/system.js';
import type { SystemState } from '../model/state.js';
import type { Step } from '../scenario/format.js';
import { canonicalKey } from './canonical.js';
import type { ExploreConfig } from './config.js';
import { candidateSteps, type SearchPoint } from './candidates.js';

/** How many states the cycle search visits at most from one state. */
const CYCLE_SEARCH_LIMIT = 10_000;

/**
 * The shortest cycle of `task`'s steps from `from` back to it, every state on the way (the last
 * included) keeping the obligation open (`open(state)`); undefined when there is none.
 */
export function cycleOf(model: SystemModel, config: ExploreConfig, from: SearchPoint, task: string, open: (s: SystemState) => boolean): Step[] | undefined {
  const home = canonicalKey(model, from.state, from.execs);
  const seen = new Set<string>([home]);
  const queue: { node: SearchPoint; path: Step[] }[] = [{ node: from, path: [] }];
  for (let i = 0; i < queue.length && seen.size <= CYCLE_SEARCH_LIMIT; i++) {
    const { node, path } = queue[i]!;
    for (const step of candidateSteps(model, config, node)) {
      if (step.task !== task) continue;
      const r = model.next(node.state, step);
      if (!r.ok || !open(r.state)) continue;
      const execs = node.execs + (step.op === 'EXEC' && r.outcome.outcome === 'ok' ? 1 : 0);
      const key = canonicalKey(model, r.state, execs);
      if (key === home) return [...path, step];
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push({ node: { state: r.state, execs, nextId: node.nextId }, path: [...path, step] });
    }
  }
  return undefined;
}

// The system model as xstate actor logic, so that xstate/graph can traverse the very state space the
// explorer does: the agreement test and the bench's baseline. Events are the explorer's candidate
// steps, and states are told apart by the explorer's canonical keys.

import { fromTransition } from 'xstate';
import { getAdjacencyMap } from 'xstate/graph';
import type { SystemModel } from '../model/system.js';
import type { SystemState } from '../model/state.js';
import type { Step } from '../scenario/format.js';
import { canonicalKey } from './canonical.js';
import { requireModelFor, type ExploreConfig } from './config.js';
import { candidateSteps } from './candidates.js';
import { MAIN_TASK } from './explore.js';

/** What the explorer keeps per node beyond the system state: execs taken, the next fresh task number. */
export interface ExplorerContext {
  readonly state: SystemState;
  readonly execs: number;
  readonly nextId: number;
}

export interface StepEvent {
  readonly type: string;
  readonly step: Step;
}

export function systemLogic(model: SystemModel) {
  return fromTransition(
    (node: ExplorerContext, event: StepEvent): ExplorerContext => {
      const r = model.next(node.state, event.step);
      if (!r.ok) return node;
      const created = ['CLONE_THREAD', 'FORK', 'VFORK'].includes(event.step.op) ? 1 : 0;
      const execed = event.step.op === 'EXEC' && r.outcome.outcome === 'ok' ? 1 : 0;
      return { state: r.state, execs: node.execs + execed, nextId: node.nextId + created };
    },
    (): ExplorerContext => ({ state: model.initial(MAIN_TASK), execs: 0, nextId: 1 }),
  );
}

/** The canonical keys of every state xstate/graph's getAdjacencyMap reaches under the configuration. */
export function adjacencyStateKeys(model: SystemModel, config: ExploreConfig): Set<string> {
  requireModelFor(model, config);
  const map = getAdjacencyMap(systemLogic(model), {
    events: (snapshot) => candidateSteps(model, config, snapshot.context).map((step) => ({ type: step.op, step })),
    serializeState: (snapshot) => canonicalKey(model, snapshot.context.state, snapshot.context.execs),
  });
  return new Set(Object.keys(map));
}

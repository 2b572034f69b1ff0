// Walks an XState v5 machine's state nodes into a neutral graph: the state tree and every transition
// with its trigger, targets, guard expression, action names and cited source (`meta.source`), in
// document (priority) order, and what each named guard that composes others stands for.
// Pure and deterministic: the same machine definition gives the same graph, ids included. It sits with
// the model, not the diagrams, because coverage, the generated suite and the report read it too.

import type { AnyStateMachine, AnyStateNode } from 'xstate';

export type StateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** One state node. Ids are the machine id and the path joined by dots: `task.alive.buffer.permitted`. */
export interface GraphState {
  readonly id: string;
  readonly key: string;
  readonly type: StateType;
  /** The id of the initial child of a compound state; null for every other type. */
  readonly initial: string | null;
  readonly description?: string;
  /** The kernel source or observation the state follows: its `meta.source`. */
  readonly reference?: string;
  readonly children: readonly GraphState[];
}

/** A guard as written in the chart: a named guard, a `stateIn`, an inline function, or a composition. */
export type GuardExpr =
  | { readonly kind: 'named'; readonly name: string; readonly params: readonly string[] }
  | { readonly kind: 'in'; readonly state: string }
  | { readonly kind: 'inline' }
  | { readonly kind: 'not'; readonly arg: GuardExpr }
  | { readonly kind: 'and' | 'or'; readonly args: readonly GuardExpr[] };

/**
 * One transition. `targets` is empty for a targetless transition (actions only, no state change).
 * `reenter` is true for a transition that exits and re-enters its target (XState's `reenter: true`).
 */
export interface GraphTransition {
  /** `<source id>:<event type>:<index among the source's candidates for that event>`, e.g. `task.alive.buffer.permitted:TOUCH:3`. */
  readonly id: string;
  readonly source: string;
  readonly trigger: 'event' | 'always' | 'after';
  /** The event type; `always` for eventless transitions; `after <delay>` for delayed ones. */
  readonly event: string;
  readonly targets: readonly string[];
  readonly reenter: boolean;
  readonly guard: GuardExpr | null;
  readonly actions: readonly string[];
  /** The kernel source or observation the transition follows: its `meta.source`. */
  readonly reference?: string;
}

export interface ChartGraph {
  /** The machine id, which is also the root state's id. */
  readonly machine: string;
  readonly root: GraphState;
  readonly transitions: readonly GraphTransition[];
  /**
   * What each named guard that setup() defines as a composition (`stateIn`, `and`, `or`, `not`) stands
   * for, by name; a guard written as a function has no entry. Its names are those a transition uses too.
   */
  readonly guardDefinitions: ReadonlyMap<string, GuardExpr>;
}

/** The key under which `transitionId` files eventless transitions. */
export const ALWAYS = 'always';

export function transitionId(source: string, eventKey: string, index: number): string {
  return `${source}:${eventKey}:${index}`;
}

/** The id of a state node from its path, independent of any explicit `id` the chart gives it. */
function stateId(node: AnyStateNode): string {
  return [node.machine.id, ...node.path].join('.');
}

function paramValues(params: unknown): string[] {
  if (params === undefined || params === null) return [];
  if (typeof params !== 'object') return [String(params)];
  return Object.values(params as Record<string, unknown>).map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)));
}

/** A `stateIn()` value as dotted paths: `{alive: {buffer: 'allocated'}}` is `alive.buffer.allocated`. */
function statePaths(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [String(value)];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, sub]) => {
    const below = statePaths(sub);
    return below.length === 0 ? [k] : below.map((p) => `${k}.${p}`);
  });
}

type GuardFunction = { name?: string; check?: { name?: string }; guards?: unknown[]; stateValue?: unknown };

/**
 * XState's guard helpers return functions tagged with `check` (checkNot, checkAnd, checkOr,
 * checkStateIn) and their operands; a named guard is a string or `{type, params}`.
 */
export function guardExpr(guard: unknown): GuardExpr | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return { kind: 'named', name: guard, params: [] };
  if (typeof guard === 'object') {
    const g = guard as { type?: unknown; params?: unknown };
    return typeof g.type === 'string' ? { kind: 'named', name: g.type, params: paramValues(g.params) } : { kind: 'inline' };
  }
  if (typeof guard !== 'function') return { kind: 'inline' };
  const f = guard as GuardFunction;
  const helper = (f.check?.name ?? '').replace(/^check/, '').toLowerCase() || f.name;
  if ('stateValue' in f && (helper === 'statein' || helper === 'stateIn')) {
    const paths = statePaths(f.stateValue);
    const ins: GuardExpr[] = paths.map((state) => ({ kind: 'in', state }));
    return ins.length === 1 ? ins[0]! : { kind: 'and', args: ins };
  }
  const operands = Array.isArray(f.guards) ? f.guards.map((g) => guardExpr(g) ?? { kind: 'inline' as const }) : null;
  if (operands && helper === 'not' && operands.length === 1) return { kind: 'not', arg: operands[0]! };
  if (operands && (helper === 'and' || helper === 'or')) return { kind: helper, args: operands };
  // An arrow written as `guard: () => ...` is named "guard" by JavaScript: that is no name.
  return f.name && f.name !== 'guard' ? { kind: 'named', name: f.name, params: [] } : { kind: 'inline' };
}

/**
 * The named guards a guard expression refers to, each once, in the order they appear; with the
 * definitions of a chart, also the names inside each named composition it uses, after that name.
 */
export function guardNames(expr: GuardExpr | null, definitions: ReadonlyMap<string, GuardExpr> = new Map()): string[] {
  if (!expr) return [];
  const names: string[] = [];
  const visit = (e: GuardExpr): void => {
    if (e.kind === 'named' && !names.includes(e.name)) {
      names.push(e.name);
      const definition = definitions.get(e.name);
      if (definition) visit(definition);
    }
    if (e.kind === 'not') visit(e.arg);
    if (e.kind === 'and' || e.kind === 'or') e.args.forEach(visit);
  };
  visit(expr);
  return names;
}

/** An action as its name: strings and `{type}` objects by type, built-ins without the `xstate.` prefix. */
function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'object' && action !== null && typeof (action as { type?: unknown }).type === 'string') return (action as { type: string }).type;
  if (typeof action === 'function') {
    const t = (action as { type?: unknown }).type;
    if (typeof t === 'string') return t.replace(/^xstate\./, '');
    return action.name || 'inline';
  }
  return 'inline';
}

/** The `meta.source` of a state node or transition, if it gives one as a string. */
function referenceOf(meta: unknown): { reference: string } | Record<string, never> {
  const source = typeof meta === 'object' && meta !== null ? (meta as { source?: unknown }).source : undefined;
  return typeof source === 'string' ? { reference: source } : {};
}

type TransitionDef = {
  eventType: string;
  target?: readonly AnyStateNode[] | undefined;
  reenter?: boolean;
  guard?: unknown;
  actions: readonly unknown[];
  meta?: unknown;
};

function toTransition(
  source: AnyStateNode,
  def: TransitionDef,
  eventKey: string,
  index: number,
  trigger: GraphTransition['trigger'],
  event: string,
): GraphTransition {
  const sourceId = stateId(source);
  return {
    id: transitionId(sourceId, eventKey, index),
    source: sourceId,
    trigger,
    event,
    targets: (def.target ?? []).map(stateId),
    reenter: def.reenter === true,
    guard: guardExpr(def.guard),
    actions: def.actions.map(actionName),
    ...referenceOf(def.meta),
  };
}

function transitionsOf(node: AnyStateNode): GraphTransition[] {
  const delays = new Map<string, string>(node.after.map((d) => [d.eventType, String(d.delay)]));
  const out: GraphTransition[] = (node.always ?? []).map((def, i) => toTransition(node, def as TransitionDef, ALWAYS, i, 'always', ALWAYS));
  for (const [eventType, defs] of node.transitions) {
    const delay = delays.get(eventType);
    defs.forEach((def, i) =>
      out.push(toTransition(node, def as TransitionDef, eventType, i, delay === undefined ? 'event' : 'after', delay === undefined ? eventType : `after ${delay}`)),
    );
  }
  return out;
}

function toState(node: AnyStateNode): GraphState {
  const children = Object.values(node.states as Record<string, AnyStateNode>).map(toState);
  const initialTarget = node.type === 'compound' ? node.initial?.target?.[0] : undefined;
  return {
    id: stateId(node),
    key: node.key,
    type: node.type,
    initial: initialTarget ? stateId(initialTarget) : null,
    ...(node.description !== undefined ? { description: node.description } : {}),
    ...referenceOf(node.meta),
    children,
  };
}

function nodesOf(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states as Record<string, AnyStateNode>).flatMap(nodesOf)];
}

/** The named guards of a machine that are compositions, as expressions, in the order setup() declares them. */
function guardDefinitionsOf(machine: AnyStateMachine): Map<string, GuardExpr> {
  const definitions = new Map<string, GuardExpr>();
  for (const [name, guard] of Object.entries((machine.implementations.guards ?? {}) as Record<string, unknown>)) {
    // XState's guard helpers carry a `check`; a guard written as a function does not.
    if (typeof guard !== 'function' || !('check' in guard)) continue;
    const expr = guardExpr(guard);
    if (expr) definitions.set(name, expr);
  }
  return definitions;
}

/** The neutral graph of a machine: its state tree and all its transitions, states in document order. */
export function chartGraph(machine: AnyStateMachine): ChartGraph {
  return {
    machine: machine.id,
    root: toState(machine.root),
    transitions: nodesOf(machine.root).flatMap(transitionsOf),
    guardDefinitions: guardDefinitionsOf(machine),
  };
}

/** Every state of the tree, parents before children, in document order. */
export function allStates(graph: ChartGraph): GraphState[] {
  const walk = (s: GraphState): GraphState[] => [s, ...s.children.flatMap(walk)];
  return walk(graph.root);
}

/** Every state id active in a snapshot's state value, root included: the ids a coverage overlay marks. */
export function activeStateIds(machineId: string, value: unknown): string[] {
  const walk = (prefix: string, v: unknown): string[] => {
    if (typeof v === 'string') return [`${prefix}.${v}`];
    if (typeof v !== 'object' || v === null) return [];
    return Object.entries(v as Record<string, unknown>).flatMap(([k, sub]) => [`${prefix}.${k}`, ...walk(`${prefix}.${k}`, sub)]);
  };
  return [machineId, ...walk(machineId, value)];
}

/**
 * The graph id of a transition XState took, e.g. one of the `_transitions` of an `@xstate.microstep`
 * inspection event: found by its source node and its position among that node's candidates.
 */
export function transitionIdOf(def: { readonly source: AnyStateNode; readonly eventType: string }): string | undefined {
  const source = def.source;
  const always = (source.always ?? []).indexOf(def as never);
  if (def.eventType === '' || always >= 0) return always >= 0 ? transitionId(stateId(source), ALWAYS, always) : undefined;
  const index = (source.transitions.get(def.eventType) ?? []).indexOf(def as never);
  return index >= 0 ? transitionId(stateId(source), def.eventType, index) : undefined;
}

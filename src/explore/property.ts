// What the explorer checks: a property is a named claim judged on each transition of the search. The
// shape lives next to the search that calls it, so the search depends on no catalogue; the catalogue
// (src/properties/catalogue.ts) is one list of such properties, above it.

import type { Outcome } from '../model/observation.js';
import type { SystemModel } from '../model/system.js';
import type { SystemState } from '../model/state.js';
import type { Step } from '../scenario/format.js';

/** One transition of the search as a property judges it: the state before, the step, what the kernel answered, the state after. */
export interface Transition {
  readonly before: SystemState;
  readonly step: Step;
  readonly observation: Outcome;
  readonly after: SystemState;
  readonly model: SystemModel;
}

interface PropertyBase {
  readonly name: string;
  readonly claim: string;
  readonly source: string;
  /**
   * Ops a configuration must offer for this property to be able to fail: every group needs one of its
   * ops. A configuration without them proves it only vacuously, and the matrix says so.
   */
  readonly needs?: readonly (readonly string[])[];
}

/** An invariant of the states reached (`state`), or a property of each transition (`step`). */
export interface SafetyProperty extends PropertyBase {
  readonly kind: 'state' | 'step';
  holds(t: Transition): boolean;
  /**
   * Its judgement reads threads of a process together (the actor and a witness, or a count), not
   * only the acting thread, or each thread on its own. The view search (src/explore/counter.ts)
   * judges the others on a step that changes its actor alone in the smallest configuration with the
   * actor; these it judges in every configuration.
   */
  readonly readsThreadsTogether?: true;
  /**
   * For a `step` property, the ops of the steps it can break (made by judgedOn, with holds()): on a
   * step of any other op it holds, so the search asks it about those steps alone. Absent: every step.
   */
  readonly ops?: readonly string[];
}

/**
 * A step property judged on the steps of `ops` alone: those ops, and a holds() that is true on a step
 * of any other op and asks `judge` on the rest. The search, which judges step properties on every
 * transition, asks it only about steps of those ops: most of the calls it would make go.
 */
export function judgedOn(ops: readonly string[], judge: (t: Transition) => boolean): Pick<SafetyProperty, 'ops' | 'holds'> {
  return { ops, holds: (t) => !ops.includes(t.step.op) || judge(t) };
}

/**
 * A property of infinite behaviour: every obligation a task opens is eventually met. Violated by a
 * lasso, a path to a state and a cycle back to it that keeps an obligation open forever while its task
 * keeps running (src/explore/lasso.ts).
 */
export interface LivenessProperty extends PropertyBase {
  readonly kind: 'eventually';
  /** The fairness the verdict assumes, in words (the docs and the report print it). */
  readonly fairness: string;
  /** The tasks whose obligation is open in the state, by name. */
  open(state: SystemState): readonly string[];
}

export type Property = SafetyProperty | LivenessProperty;

/** True when the configuration offers none of the ops that could break the property. */
export function vacuousUnder(property: Property, ops: readonly string[]): boolean {
  return (property.needs ?? []).some((group) => !group.some((op) => ops.includes(op)));
}

/** The step properties that judge the steps of one op, and whether one of them reads threads together. */
export interface StepPropertiesOfOp {
  readonly judge: readonly SafetyProperty[];
  readonly together: boolean;
}

/**
 * The step properties not yet violated that judge the steps of each op (judgedOn), made on first use
 * and again once `violated` grows: most transitions ask five or six properties, not all. With them,
 * whether one of them reads threads together: its verdict on a step the step table holds may differ
 * from one state to the next (src/explore/table-answers.ts).
 */
export class StepPropertiesByOp {
  private readonly byOp = new Map<string, StepPropertiesOfOp>();
  private violatedAt = 0;

  /** `properties`: the search's step properties; `violated`: its violations by property name, which only grow. */
  constructor(
    private readonly properties: readonly SafetyProperty[],
    private readonly violated: ReadonlyMap<string, unknown>,
  ) {}

  of(op: string): StepPropertiesOfOp {
    if (this.violated.size !== this.violatedAt) {
      this.byOp.clear();
      this.violatedAt = this.violated.size;
    }
    let ps = this.byOp.get(op);
    if (ps === undefined) {
      const judge = this.properties.filter((p) => !this.violated.has(p.name) && (p.ops === undefined || p.ops.includes(op)));
      this.byOp.set(op, (ps = { judge, together: judge.some((p) => p.readsThreadsTogether === true) }));
    }
    return ps;
  }
}

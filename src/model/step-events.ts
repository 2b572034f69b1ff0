// The chart event named like a step's op, with the step's fields (and the memory, for an op that
// reads it), made once and frozen: the explorer offers the same fields objects again and again, and
// a chart numbers a frozen event by the object (Chart.send) rather than by walking its fields.

import type { Memory } from '../../machines/task-types.js';
import type { Step } from '../scenario/format.js';

/** Where an event's memory goes among the events of one op and fields object: available, exhausted, none. */
const MEMORY_SLOT: { readonly [M in Memory]: number } = { available: 0, exhausted: 1 };
const NO_MEMORY_SLOT = 2;

export class StepEvents {
  private readonly byFields = new WeakMap<object, Map<string, object[]>>();

  /** `{type: op, ...fields, memory}`, memory left out when undefined; the same frozen object for the same fields object, op and memory. */
  of(step: Step, memory: Memory | undefined): object {
    let byOp = this.byFields.get(step.fields);
    if (byOp === undefined) this.byFields.set(step.fields, (byOp = new Map()));
    let events = byOp.get(step.op);
    if (events === undefined) byOp.set(step.op, (events = []));
    const slot = memory === undefined ? NO_MEMORY_SLOT : MEMORY_SLOT[memory];
    return (events[slot] ??= Object.freeze({ type: step.op, ...step.fields, ...(memory !== undefined ? { memory } : {}) }));
  }
}

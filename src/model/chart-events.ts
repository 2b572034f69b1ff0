// The chart events the model sends again and again, made once and frozen: a chart numbers a frozen
// event by the object (Chart.send) rather than by walking its fields on every send. The rules'
// constants, and the event named like a step's op (the explorer offers the same fields objects again
// and again).

import type { Memory, SignalName, TaskEvent } from '../../machines/task-types.js';
import type { Step } from '../scenario/format.js';

/** A thread dies with its group: of a fatal signal (do_group_exit), or of another thread's exec (de_thread). */
export const KILLED_BY: { readonly [By in SignalName | 'exec']: TaskEvent } = {
  SIGILL: Object.freeze({ type: 'KILLED', by: 'SIGILL' }),
  SIGSEGV: Object.freeze({ type: 'KILLED', by: 'SIGSEGV' }),
  exec: Object.freeze({ type: 'KILLED', by: 'exec' }),
};
/** A zombie leader is reaped once its group is gone. */
export const RELEASED: TaskEvent = Object.freeze({ type: 'RELEASED' });
export const PERMISSION_GRANTED: { readonly [M in Memory]: TaskEvent } = {
  available: Object.freeze({ type: 'PERMISSION_GRANTED', memory: 'available' }),
  exhausted: Object.freeze({ type: 'PERMISSION_GRANTED', memory: 'exhausted' }),
};
/** A fault signal's handler frame: force_sig_fault() delivers it on the thread stack. */
export const FAULT_SIGNAL: TaskEvent = Object.freeze({ type: 'SIGNAL', onstack: false });
/** A fault handler returns, its frame's tile bits as they were. */
export const HANDLER_RETURNS: TaskEvent = Object.freeze({ type: 'SIGRETURN', tileBits: 'keep' });
export const EXEC: TaskEvent = Object.freeze({ type: 'EXEC' });

/** Where an event's memory goes among the events of one op and fields object: available, exhausted, none. */
const MEMORY_SLOT: { readonly [M in Memory]: number } = { available: 0, exhausted: 1 };
const NO_MEMORY_SLOT = 2;

/** The events named like steps' ops, one per fields object, op and memory. */
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

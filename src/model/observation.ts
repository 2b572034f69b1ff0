// What a step shows a program, as `simulate --json` prints it: the outcome a rule returned, and the
// state fields the op's row of the op table lists, read from the step's task after the step.

import { opSpec } from '../../machines/kernel-events.js';
import type { SigillHandler, SigsegvHandler } from '../../machines/process-types.js';
import type { HandlerStack, SiCode, TaskOutcome } from '../../machines/task-types.js';
import { bufferOf, tilesOf, type TaskSnapshot, type TilesReport } from './state.js';

/** One line of `simulate --json`: what a step did, as the kernel would show it. */
export interface Observation {
  readonly step: number;
  readonly task?: string;
  readonly op: string;
  readonly outcome: string;
  readonly si_code?: SiCode;
  readonly fatal?: boolean;
  /** What the process's handler did with a fault signal. */
  readonly handler?: SigillHandler | SigsegvHandler;
  /** The handler returned to an instruction that faults again: an endless refault, the task is stuck. */
  readonly hang?: boolean;
  readonly bitmap?: string;
  readonly tiles?: TilesReport;
  readonly frameHasTiles?: boolean;
  /** SIGNAL: the stack its handler runs on. */
  readonly stack?: HandlerStack;
  /** SIGALTSTACK_QUERY: the old stack_t's ss_size and ss_flags. */
  readonly ss_size?: number;
  readonly ss_flags?: string;
  readonly buffer?: 'default' | 'large';
  readonly leakedBuffers?: number;
}

/** What a step reported, apart from its number, op and task (and the leak count, a global). */
export type Outcome = Omit<Observation, 'step' | 'op' | 'task' | 'leakedBuffers'>;

/** What a kernel rule returns: the chart's outcome, and what the process's handler made of a fault. */
export interface RuleResult extends TaskOutcome {
  readonly handler?: SigillHandler | SigsegvHandler;
  readonly hang?: boolean;
}

/** The outcome of a step of `op`, with the fields its row shows; `after` is its task, if still alive. */
export function outcomeOf(op: string, result: RuleResult, after: TaskSnapshot | undefined): Outcome {
  const shows = opSpec(op)?.shows ?? [];
  return {
    outcome: result.result,
    ...(result.si_code ? { si_code: result.si_code } : {}),
    ...(result.fatal !== undefined ? { fatal: result.fatal } : {}),
    ...(result.handler ? { handler: result.handler } : {}),
    ...(result.hang ? { hang: true } : {}),
    ...(result.bitmap ? { bitmap: result.bitmap } : {}),
    ...(after && shows.includes('tiles') ? { tiles: tilesOf(after) } : {}),
    ...(result.frameHasTiles !== undefined ? { frameHasTiles: result.frameHasTiles } : {}),
    ...(result.stack !== undefined ? { stack: result.stack } : {}),
    ...(result.ss_size !== undefined ? { ss_size: result.ss_size } : {}),
    ...(result.ss_flags !== undefined ? { ss_flags: result.ss_flags } : {}),
    ...(after && shows.includes('buffer') ? { buffer: bufferOf(after) } : {}),
  };
}

/** A query's altstack in words: `8192 bytes, SS_AUTODISARM`; empty for other steps. */
export function altstackText(o: Pick<Observation, 'ss_size' | 'ss_flags'>): string {
  return o.ss_size === undefined ? '' : `${o.ss_size} bytes, ${o.ss_flags ?? '0'}`;
}

/** Whether the op's observation carries the global count of buffers leaked so far. */
export function showsLeakedBuffers(op: string): boolean {
  return opSpec(op)?.shows.includes('leakedBuffers') === true;
}

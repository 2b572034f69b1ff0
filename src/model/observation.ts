// What a step shows a program, as `simulate --json` prints it: the outcome a rule returned, and the
// state fields the op's row of the op table lists, read from the step's task after the step.

import { OPS, opSpec } from '../../machines/kernel-events.js';
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

/** Which fields of the task after the step an op's row shows (opSpec(op).shows), by op. */
const SHOWN: ReadonlyMap<string, { readonly tiles: boolean; readonly buffer: boolean }> = new Map(
  OPS.map((o) => [o.op, { tiles: o.shows.includes('tiles'), buffer: o.shows.includes('buffer') }]),
);
const NOTHING_SHOWN = { tiles: false, buffer: false };

/** The outcome of a step of `op`, with the fields its row shows; `after` is its task, if still alive. */
export function outcomeOf(op: string, result: RuleResult, after: TaskSnapshot | undefined): Outcome {
  // It runs on every transition the explorer takes through the rules. Only the fields the result
  // has are read (for..in): asking a result for each absent field cost four times all the rest.
  let si_code: SiCode | undefined, fatal: boolean | undefined, handler: RuleResult['handler'], hang: boolean | undefined, bitmap: string | undefined;
  let frameHasTiles: boolean | undefined, stack: HandlerStack | undefined, ss_size: number | undefined, ss_flags: string | undefined;
  for (const field in result) {
    switch (field as keyof RuleResult) {
      case 'si_code': si_code = result.si_code; break;
      case 'fatal': fatal = result.fatal; break;
      case 'handler': handler = result.handler; break;
      case 'hang': hang = result.hang; break;
      case 'bitmap': bitmap = result.bitmap; break;
      case 'frameHasTiles': frameHasTiles = result.frameHasTiles; break;
      case 'stack': stack = result.stack; break;
      case 'ss_size': ss_size = result.ss_size; break;
      case 'ss_flags': ss_flags = result.ss_flags; break;
      default: break;
    }
  }
  const shown = SHOWN.get(op) ?? NOTHING_SHOWN;
  // Built field by field, in the order simulate --json prints them.
  const o: { -readonly [K in keyof Outcome]: Outcome[K] } = { outcome: result.result };
  if (si_code) o.si_code = si_code;
  if (fatal !== undefined) o.fatal = fatal;
  if (handler) o.handler = handler;
  if (hang) o.hang = true;
  if (bitmap) o.bitmap = bitmap;
  if (after && shown.tiles) o.tiles = tilesOf(after);
  if (frameHasTiles !== undefined) o.frameHasTiles = frameHasTiles;
  if (stack !== undefined) o.stack = stack;
  if (ss_size !== undefined) o.ss_size = ss_size;
  if (ss_flags !== undefined) o.ss_flags = ss_flags;
  if (after && shown.buffer) o.buffer = bufferOf(after);
  return o;
}

/** A query's altstack in words: `8192 bytes, SS_AUTODISARM`; empty for other steps. */
export function altstackText(o: Pick<Observation, 'ss_size' | 'ss_flags'>): string {
  return o.ss_size === undefined ? '' : `${o.ss_size} bytes, ${o.ss_flags ?? '0'}`;
}

/** Whether the op's observation carries the global count of buffers leaked so far. */
export function showsLeakedBuffers(op: string): boolean {
  return opSpec(op)?.shows.includes('leakedBuffers') === true;
}

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
  // Built field by field, in the order simulate --json prints them: it runs on every transition the
  // explorer takes through the rules, where a chain of spreads was slow.
  const shown = SHOWN.get(op) ?? NOTHING_SHOWN;
  const o: { -readonly [K in keyof Outcome]: Outcome[K] } = { outcome: result.result };
  if (result.si_code) o.si_code = result.si_code;
  if (result.fatal !== undefined) o.fatal = result.fatal;
  if (result.handler) o.handler = result.handler;
  if (result.hang) o.hang = true;
  if (result.bitmap) o.bitmap = result.bitmap;
  if (after && shown.tiles) o.tiles = tilesOf(after);
  if (result.frameHasTiles !== undefined) o.frameHasTiles = result.frameHasTiles;
  if (result.stack !== undefined) o.stack = result.stack;
  if (result.ss_size !== undefined) o.ss_size = result.ss_size;
  if (result.ss_flags !== undefined) o.ss_flags = result.ss_flags;
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

// The step table's answers without a step, as both searches take them (explore.ts, counter.ts). A step
// the step table holds (own-task-steps.ts) changes its own task, its process's chart and the counters
// by its entry's change, the same in every state it is taken from; a step property that does not read
// threads together judges it on those alone, so its verdict is the entry's (docs/checking.md, How it
// searches). Such a step, whose entry the step properties judged before, to a state seen before, is
// counted and nothing more: no state to make, no verdict to ask.

import type { OwnTaskEffect, OwnTaskEntry } from '../model/own-task-steps.js';
import { isAlive, type SystemState } from '../model/state.js';
import type { NextResult, StepKind, SystemModel, TableRow } from '../model/system.js';
import type { Step } from '../scenario/format.js';
import type { CanonicalCodes } from './canonical.js';
import type { StateKeySet } from './key-set.js';
import type { StepPropertiesByOp } from './property.js';
import { execsAfter } from './candidates.js';

/** What the search knows of an entry (TableAnswers.judged). */
const UNJUDGED = 0;
const JUDGED = 1;
/** Judged, and every step of it leads back to the state it is taken from and is answered (TableAnswers.markJudged). */
const STAYS = 2;

export class TableAnswers {
  /** How many steps answers() counted as leading back to the state they were taken from (STAYS), without a key. */
  staying = 0;
  /** The entries the step properties judged, a byte per entry number (UNJUDGED, JUDGED, STAYS): asked on most transitions. */
  private judged = new Uint8Array(1024);
  /**
   * The state and task entryOf() looked up last (a state's steps come task by task), the task's row,
   * and whether `key` holds the codes prepared for its steps (writing a key leaves them).
   */
  private lookedUp: { readonly state: SystemState; readonly task: string; readonly row: TableRow | undefined; prepared: boolean } | undefined;

  /**
   * `key` is the search's scratch key, whose prepared codes (CanonicalCodes.prepareSteps) this keeps
   * for the task it was last asked about; `seen` its table of states seen; `byUnits` whether each
   * state kept is one unit of processes (units.ts), so that a step making a process leads to two;
   * `stepProperties` the search's step properties; `expandsSeen` whether every state the search
   * takes steps from is one of `seen`, so that a step that leaves the state as it was (the effect's
   * `stays`) leads to a state seen before, with no key to write.
   */
  constructor(
    private readonly model: SystemModel,
    private readonly key: CanonicalCodes,
    private readonly seen: StateKeySet,
    private readonly byUnits: boolean,
    private readonly stepProperties: StepPropertiesByOp,
    private readonly expandsSeen: boolean,
  ) {}

  /** The step table's entry for `step`, of kind `kind`, from `state` (SystemModel.tableEntry), found by its task's row, made once for the task's steps. */
  entryOf(state: SystemState, step: Step, kind: StepKind | undefined = this.model.stepKind(step)): OwnTaskEntry | undefined {
    const row = this.rowOf(state, step);
    return row === undefined ? undefined : this.model.tableEntry(row, step, kind);
  }

  /** The row of the task that takes `step` in `state`, made once for the task's steps; none for a task the table knows no steps of. */
  private rowOf(state: SystemState, step: Step): TableRow | undefined {
    if (step.task === undefined) return undefined;
    let at = this.lookedUp;
    if (at === undefined || at.state !== state || at.task !== step.task) {
      const place = this.model.locate(state, step.task);
      this.lookedUp = at = { state, task: step.task, row: place === undefined ? undefined : this.model.tableRow(state, place.pi, place.ti), prepared: false };
    }
    return at.row;
  }

  /** next() of `step`, whose entry entryOf() just found: the entry replayed, without looking it up again. */
  replay(step: Step, entry: OwnTaskEntry): Extract<NextResult, { ok: true }> {
    const row = this.lookedUp?.row;
    if (row === undefined) throw new Error('step table: an entry replayed that entryOf() did not find');
    return this.model.replayEntry(row, step, entry);
  }

  /** The step properties have judged a step of `entry`, `step`. */
  markJudged(step: Step, entry: OwnTaskEntry): void {
    if (entry.serial >= this.judged.length) {
      const grown = new Uint8Array(Math.max(2 * this.judged.length, entry.serial + 1));
      grown.set(this.judged);
      this.judged = grown;
    }
    // An entry whose steps stay where they are is answered from now on without asking anything more:
    // its step properties read no threads together now, and violations only make them fewer.
    this.judged[entry.serial] = this.expandsSeen && entry.effect.stays && this.free(step, entry) ? STAYS : JUDGED;
  }

  /**
   * Whether `step`, whose entry entryOf() just found, needs nothing more than being counted: no group
   * end (it changes other threads too), judged before, by step properties none of which reads
   * threads together (their verdict may differ from one state to the next), to a state seen before,
   * reached with `execs` successful execs along the path to the state it is taken from.
   */
  answers(step: Step, entry: OwnTaskEntry, execs: number): boolean {
    const judged = entry.serial < this.judged.length ? this.judged[entry.serial]! : UNJUDGED;
    if (judged !== STAYS && (judged !== JUDGED || !this.free(step, entry))) return false;
    if (judged === STAYS || (entry.effect.stays && this.expandsSeen)) {
      this.staying++;
      return true;
    }
    return this.seenAfter(entry.effect, execsAfter(execs, step, entry.effect.outcome));
  }

  /** Whether the entry's steps change nothing but their own task, and no step property left reads threads together on them. */
  private free(step: Step, entry: OwnTaskEntry): boolean {
    return entry.effect.groupEnd === undefined && !this.stepProperties.of(step.op).together;
  }

  /** Whether the state after a step with this effect was seen before: each unit of it, in a search by units. */
  private seenAfter(effect: OwnTaskEffect, execs: number): boolean {
    const { model, key, seen } = this;
    const at = this.lookedUp;
    if (at?.row === undefined) throw new Error('step table: an answer asked of an entry that entryOf() did not find');
    if (!at.prepared) {
      key.prepareSteps(model, at.state, at.row.pi, at.row.ti);
      at.prepared = true;
    }
    if (!this.byUnits || effect.forked === undefined) {
      key.writeAfterStep(model, execs, effect.task, effect.processSnapshot, effect.forked);
      return seen.find(key) >= 0;
    }
    key.writeAfterStep(model, execs, effect.task, effect.processSnapshot);
    if (seen.find(key) < 0) return false;
    // A process whose task does not run is no unit (unitsOf), and has no codes.
    if (!isAlive(effect.forked.task)) return true;
    key.writeForked(model, execs, effect.forked);
    return seen.find(key) >= 0;
  }
}

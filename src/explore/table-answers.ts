// The step table's answers without a step, as both searches take them (explore.ts, counter.ts). A step
// the step table holds (own-task-steps.ts) changes its own task, its process's chart and the counters
// by its entry's change, the same in every state it is taken from; a step property that does not read
// threads together judges it on those alone, so its verdict is the entry's (docs/checking.md, How it
// searches). Such a step, whose entry the step properties judged before, to a state seen before, is
// counted and nothing more: no state to make, no verdict to ask.

import type { OwnTaskEffect, OwnTaskEntry } from '../model/own-task-steps.js';
import { isAlive } from '../model/state.js';
import type { SystemModel } from '../model/system.js';
import type { CanonicalCodes } from './canonical.js';
import type { StateKeySet } from './key-set.js';

export class TableAnswers {
  /** The entries the step properties judged, a byte per entry number: asked on most transitions. */
  private judged = new Uint8Array(1024);

  /**
   * `key` is the search's scratch key, whose prepared codes (CanonicalCodes.prepareSteps) are those
   * of the task the entries asked about act for; `seen` its table of states seen; `byUnits` whether
   * each state kept is one unit of processes (units.ts), so that a step making a process leads to two.
   */
  constructor(
    private readonly model: SystemModel,
    private readonly key: CanonicalCodes,
    private readonly seen: StateKeySet,
    private readonly byUnits: boolean,
  ) {}

  /** The step properties have judged a step of `entry`. */
  markJudged(entry: OwnTaskEntry): void {
    if (entry.serial >= this.judged.length) {
      const grown = new Uint8Array(Math.max(2 * this.judged.length, entry.serial + 1));
      grown.set(this.judged);
      this.judged = grown;
    }
    this.judged[entry.serial] = 1;
  }

  /**
   * Whether a step of `entry`, with `execs` successful execs after it, needs nothing more than being
   * counted: no group end (it changes other threads too), judged before, by step properties none of
   * which reads threads together (`together`: their verdict may differ from one state to the next),
   * to a state seen before.
   */
  answers(entry: OwnTaskEntry, together: boolean, execs: number): boolean {
    return (
      entry.effect.groupEnd === undefined &&
      entry.serial < this.judged.length &&
      this.judged[entry.serial] === 1 &&
      !together &&
      this.seenAfter(entry.effect, execs)
    );
  }

  /** Whether the state after a step with this effect was seen before: each unit of it, in a search by units. */
  private seenAfter(effect: OwnTaskEffect, execs: number): boolean {
    const { model, key, seen } = this;
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

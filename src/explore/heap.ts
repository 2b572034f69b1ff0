// Node's heap limit, as a search watches it. Once V8's old generation outgrows its limit, node aborts
// the whole process with a native stack trace, and whatever the command had not yet written is lost.
// A search that stops short of it ends as one cut by --max-memory does: its verdicts so far, its
// "unknown" cells, exit 4. Node does not say what the old generation's limit is, only the whole
// heap's (heap_size_limit), which is that limit plus the young generation's: three semi-spaces.

import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread, resourceLimits } from 'node:worker_threads';

const MIB = 2 ** 20;

/** V8's largest semi-space where no flag sets it (64-bit node 20). */
const DEFAULT_SEMI_SPACE_MIB = 16;

/**
 * The share of the old generation's limit past which a search stops. V8 gives up before the limit:
 * at 80% of it, four mark-compacts in a row that leave the script less than 40% of the time end the
 * process ("Ineffective mark-compacts near heap limit", Heap::IsIneffectiveMarkCompact). The rest
 * below that is room for what one look-up interval (explore.ts, PROGRESS_EVERY states) allocates.
 */
export const OLD_GENERATION_SHARE = 0.75;

/** The last --max-semi-space-size among node's flags (the command line's, then NODE_OPTIONS'), in MiB. */
export function semiSpaceFlagMiB(flags: readonly string[]): number | undefined {
  let mib: number | undefined;
  for (let i = 0; i < flags.length; i++) {
    const m = /^--max[-_]semi[-_]space[-_]size(?:=(\d+))?$/.exec(flags[i]!);
    if (m === null) continue;
    const value = m[1] ?? flags[i + 1];
    if (value !== undefined && /^\d+$/.test(value)) mib = Number(value);
  }
  return mib;
}

/** The most this thread's young generation may hold: a worker's resource limit, or three semi-spaces as node's flags set them. */
function youngGenerationLimitBytes(): number {
  if (!isMainThread && resourceLimits.maxYoungGenerationSizeMb !== undefined && resourceLimits.maxYoungGenerationSizeMb > 0) return resourceLimits.maxYoungGenerationSizeMb * MIB;
  const flags = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/).filter((f) => f !== '')];
  return 3 * (semiSpaceFlagMiB(flags) ?? DEFAULT_SEMI_SPACE_MIB) * MIB;
}

/** This thread's old generation: the bytes it holds (every space but the young ones), and its limit. */
export interface OldGeneration {
  readonly used: number;
  readonly limit: number;
}

export function oldGeneration(): OldGeneration {
  let used = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name !== 'new_space' && s.space_name !== 'new_large_object_space') used += s.space_used_size;
  return { used, limit: getHeapStatistics().heap_size_limit - youngGenerationLimitBytes() };
}

/** Whether the old generation holds more than OLD_GENERATION_SHARE of its limit. */
export function pastShare(old: OldGeneration): boolean {
  return old.used > OLD_GENERATION_SHARE * old.limit;
}

/**
 * A full garbage collection, now. What the old generation holds includes garbage until V8 next
 * collects it: the states a search has expanded, or a whole search before it in the same thread.
 * Node gives a script the collector only under --expose-gc; the flag set at run time takes effect in
 * a new context (as jest's leak detector gets it). The context is made once: each one is a global
 * object of its own, and made at every look-up they would fill the heap they are to measure.
 */
const collectGarbage: () => void = (() => {
  let gc: (() => void) | undefined;
  return () => {
    if (gc === undefined) {
      setFlagsFromString('--expose-gc');
      const found: unknown = runInNewContext('gc');
      gc = typeof found === 'function' ? (found as () => void) : () => undefined;
    }
    gc();
  };
})();

/**
 * Whether the old generation holds more than OLD_GENERATION_SHARE of its limit in live objects: past
 * the share, the garbage is collected first, and the share asked again. A search near the limit so
 * collects once per look-up: rare, and near its end.
 */
export function heapNearlyFull(): boolean {
  if (!pastShare(oldGeneration())) return false;
  collectGarbage();
  return pastShare(oldGeneration());
}

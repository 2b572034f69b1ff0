// How the search keeps what it found: per state, a few numbers in typed columns (its parent, the
// step that reached it, its depth, the execs along its path, the number its next new task gets),
// and the full state only while it waits in the queue. A path is rebuilt from the parents; a state
// once expanded is dropped, and a counterexample replays its steps. Steps are interned: a search
// takes few distinct ones, however many states it finds.

import type { SystemState } from '../model/state.js';
import type { Step } from '../scenario/format.js';

const FIRST_CAPACITY = 1024;

function stepKey(step: Step): string {
  let k = `${step.op}|${step.task ?? ''}`;
  for (const f in step.fields) k += `|${f}=${String(step.fields[f])}`;
  return k;
}

export class StateStore {
  private parents = new Int32Array(FIRST_CAPACITY);
  private stepIds = new Int32Array(FIRST_CAPACITY);
  private nextIds = new Int32Array(FIRST_CAPACITY);
  private depths = new Uint16Array(FIRST_CAPACITY);
  private execCounts = new Uint16Array(FIRST_CAPACITY);
  /** The states not yet expanded, by index; an expanded one is undefined. */
  private readonly waiting: (SystemState | undefined)[] = [];
  private readonly steps: Step[] = [];
  private readonly stepIndex = new Map<string, number>();
  /** The steps interned, by the object: a search offers the same step objects again and again (candidates.ts). */
  private readonly stepObjects = new Map<Step, number>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Forgets every state and gives back the memory (explore.ts says why a finished search clears its tables). */
  clear(): void {
    this.parents = new Int32Array(FIRST_CAPACITY);
    this.stepIds = new Int32Array(FIRST_CAPACITY);
    this.nextIds = new Int32Array(FIRST_CAPACITY);
    this.depths = new Uint16Array(FIRST_CAPACITY);
    this.execCounts = new Uint16Array(FIRST_CAPACITY);
    this.waiting.length = 0;
    this.steps.length = 0;
    this.stepIndex.clear();
    this.stepObjects.clear();
    this.count = 0;
  }

  /** Adds a state reached from `parent` by `step` (the initial state: parent -1, no step); returns its index. */
  add(state: SystemState, parent: number, step: Step | null, depth: number, execs: number, nextId: number): number {
    const i = this.count;
    if (i === this.parents.length) this.grow();
    this.parents[i] = parent;
    this.stepIds[i] = step === null ? -1 : this.intern(step);
    this.depths[i] = depth;
    this.execCounts[i] = execs;
    this.nextIds[i] = nextId;
    this.waiting.push(state);
    this.count++;
    return i;
  }

  /** The state at `i`, for its expansion; afterwards release(i) drops it. */
  state(i: number): SystemState {
    const s = this.waiting[i];
    if (s === undefined) throw new Error(`explorer: state ${i} was already expanded`);
    return s;
  }

  release(i: number): void {
    this.waiting[i] = undefined;
  }

  depth(i: number): number {
    return this.depths[i]!;
  }

  execs(i: number): number {
    return this.execCounts[i]!;
  }

  nextId(i: number): number {
    return this.nextIds[i]!;
  }

  /** The steps from the initial state to state `i`. */
  pathTo(i: number): Step[] {
    const path: Step[] = [];
    for (let at = i; at > 0; at = this.parents[at]!) path.push(this.steps[this.stepIds[at]!]!);
    return path.reverse();
  }

  private intern(step: Step): number {
    const same = this.stepObjects.get(step);
    if (same !== undefined) return same;
    const k = stepKey(step);
    let known = this.stepIndex.get(k);
    if (known === undefined) {
      this.steps.push(step);
      this.stepIndex.set(k, (known = this.steps.length - 1));
    }
    this.stepObjects.set(step, known);
    return known;
  }

  private grow(): void {
    const n = this.parents.length * 2;
    const wider = <A extends Int32Array | Uint16Array>(a: A, make: (n: number) => A): A => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.parents = wider(this.parents, (k) => new Int32Array(k));
    this.stepIds = wider(this.stepIds, (k) => new Int32Array(k));
    this.nextIds = wider(this.nextIds, (k) => new Int32Array(k));
    this.depths = wider(this.depths, (k) => new Uint16Array(k));
    this.execCounts = wider(this.execCounts, (k) => new Uint16Array(k));
  }
}

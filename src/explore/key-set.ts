// The explorer's table of seen states: canonical keys (canonical.ts) kept as 32-bit codes in typed
// arrays, found by open addressing on their hash. The key of the n-th state added has index n, which
// is its index in the state store. A few bytes per state, and no string is built or hashed per step.

import type { CanonicalCodes } from './canonical.js';

const FIRST_CAPACITY = 1024;

/** Spreads a key's hash over the slots (the finaliser of MurmurHash3). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class StateKeySet {
  /**
   * Open-addressed slots, at most half full, each two numbers: a key's index + 1 (0: empty) and its
   * hash, side by side, so that a probe reads one place in memory before it compares codes.
   */
  private slots = new Int32Array(FIRST_CAPACITY * 4);
  /** Room for this many keys before the table grows. */
  private capacity = FIRST_CAPACITY;
  /** Key i's codes are codes[starts[i] .. starts[i + 1]). */
  private starts = new Int32Array(FIRST_CAPACITY + 1);
  private codes = new Uint32Array(FIRST_CAPACITY * 8);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Forgets every key and gives back the memory (explore.ts says why a finished search clears its tables). */
  clear(): void {
    this.slots = new Int32Array(FIRST_CAPACITY * 4);
    this.capacity = FIRST_CAPACITY;
    this.starts = new Int32Array(FIRST_CAPACITY + 1);
    this.codes = new Uint32Array(FIRST_CAPACITY * 8);
    this.count = 0;
  }

  /** The bytes the table holds, for `npm run bench`'s bytes per state. */
  get bytes(): number {
    return this.slots.byteLength + this.starts.byteLength + this.codes.byteLength;
  }

  /** The index of the key `key` holds, or -1. */
  find(key: CanonicalCodes): number {
    const mask = this.slots.length / 2 - 1;
    for (let slot = mix(key.hash) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[2 * slot]!;
      if (entry === 0) return -1;
      if (this.slots[2 * slot + 1] === key.hash && this.holds(entry - 1, key)) return entry - 1;
    }
  }

  /** Adds the key `key` holds, which the set lacks; returns its index. */
  add(key: CanonicalCodes): number {
    const i = this.count;
    if (i === this.capacity) this.grow();
    const start = this.starts[i]!;
    if (start + key.length > this.codes.length) this.codes = widened(this.codes, Math.max(this.codes.length * 2, start + key.length));
    for (let k = 0; k < key.length; k++) this.codes[start + k] = key.codes[k]!;
    this.starts[i + 1] = start + key.length;
    this.count++;
    this.place(i, key.hash);
    return i;
  }

  private holds(i: number, key: CanonicalCodes): boolean {
    const start = this.starts[i]!;
    if (this.starts[i + 1]! - start !== key.length) return false;
    for (let k = 0; k < key.length; k++) if (this.codes[start + k] !== key.codes[k]) return false;
    return true;
  }

  private place(i: number, hash: number): void {
    const mask = this.slots.length / 2 - 1;
    let slot = mix(hash) & mask;
    while (this.slots[2 * slot] !== 0) slot = (slot + 1) & mask;
    this.slots[2 * slot] = i + 1;
    this.slots[2 * slot + 1] = hash;
  }

  private grow(): void {
    const n = this.capacity * 2;
    const old = this.slots;
    this.capacity = n;
    this.starts = widened(this.starts, n + 1);
    this.slots = new Int32Array(n * 4);
    // Each key again, by the hash its old slot kept beside it.
    for (let s = 0; s < old.length; s += 2) if (old[s] !== 0) this.place(old[s]! - 1, old[s + 1]!);
  }
}

function widened<A extends Int32Array | Uint32Array>(a: A, n: number): A {
  const b = new (a.constructor as new (n: number) => A)(n);
  b.set(a);
  return b;
}

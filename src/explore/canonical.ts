// Canonical state keys under symmetry: threads of a process are interchangeable, and so are
// processes; names, dead tasks and ended processes do not count (a zombie leader does: it holds its
// buffer and altstack, and its snapshot says it leads). Equal keys = isomorphic states.
// A task suspended in vfork or stuck in an endless refault differs from one that runs.
//
// A key is a short sequence of codes, every one a small integer (interned chart snapshots, the
// memory, the execs, an interned refault instruction): the explorer's table of seen states keeps them
// in typed arrays (key-set.ts), and canonicalKey writes them as one-byte characters (see packed), so
// that no number is ever printed.

import type { Memory } from '../../machines/task-types.js';
import { isAlive, onThreadList, type ProcessSnapshot, type SystemState, type ProcessSlot, type TaskSlot } from '../model/state.js';
import type { SystemModel } from '../model/system.js';
import type { ForkedProcess } from '../model/world.js';

/** The FNV-1a offset basis: the hash of a key with no codes yet. */
const FNV_OFFSET = 0x811c9dc5;

/** Slots of a task's flags below its snapshot id: suspended (1 bit), then the refault instruction (0 = none). */
const FLAG_SLOTS = 2 ** 20;

/** A task on the thread list as one number: its snapshot, whether it is suspended, what it is stuck on. */
function taskCode(model: SystemModel, t: TaskSlot): number {
  return model.task.id(t.snapshot) * FLAG_SLOTS + model.instructionId(t.stuckOn) * 2 + (t.suspended ? 1 : 0);
}

/** A process's own code: its chart, and whether it is a vfork child. */
function processCode(model: SystemModel, snapshot: ProcessSnapshot, vforkParent: string | null): number {
  return model.process.id(snapshot) * 2 + (vforkParent !== null ? 1 : 0);
}

/**
 * Inserts `c` into `codes[0 .. n)`, sorted, and returns the new count: a process has a few threads,
 * and a sort with a comparator (and the copy it sorts) costs more than the rest of the key. The array
 * is scratch space, never shortened (setting its length costs more than the rest).
 */
function insertSorted(codes: number[], n: number, c: number): number {
  let j = n;
  for (; j > 0 && codes[j - 1]! > c; j--) codes[j] = codes[j - 1]!;
  codes[j] = c;
  return n + 1;
}

function hasLiveTask(p: ProcessSlot): boolean {
  for (const t of p.tasks) if (isAlive(t)) return true;
  return false;
}

/** Codes are unsigned 32-bit integers: what a key set stores. */
const CODE_LIMIT = 2 ** 32;

/**
 * The codes of canonical keys, written into one reusable array: `codes[0 .. length)` is the key of
 * the state written last, and `hash` its hash. One per search (it is scratch space); `write` is the
 * one definition of what a key says.
 */
export class CanonicalCodes {
  readonly codes: number[] = [];
  length = 0;
  hash = 0;
  private readonly taskCodes: number[] = [];
  /**
   * What prepareSteps() found: the other threads' codes (the first `others`), the other processes'
   * code sequences (the first `processes`), and the rest of the key.
   */
  private readonly otherCodes: number[] = [];
  private others = 0;
  private othersAlive = false;
  private memory: Memory = 'available';
  private vforkParent: string | null = null;
  private readonly otherProcesses: number[][] = [];
  private processes = 0;

  private push(code: number): void {
    if (code >= CODE_LIMIT) throw new Error(`explorer: a canonical key code (${code}) does not fit 32 bits`);
    this.codes[this.length++] = code;
    // FNV-1a over the codes, each taken whole: a key set spreads them over its slots.
    this.hash = Math.imul(this.hash ^ code, 0x01000193);
  }

  /**
   * The process's codes: its chart and vfork relation, its thread-list count, then each such task,
   * sorted (so threads are interchangeable): a task's chart id, twice, plus 1 when flags follow.
   * Self-delimiting, so that processes written one after the other stand for one multiset.
   */
  private writeProcess(model: SystemModel, p: ProcessSlot): void {
    // The scratch array is never shortened (setting its length costs more than the rest): `n` counts.
    const codes = this.taskCodes;
    let n = 0;
    for (const t of p.tasks) if (onThreadList(t)) n = insertSorted(codes, n, taskCode(model, t));
    this.pushProcess(processCode(model, p.snapshot, p.vforkParent), codes, n);
  }

  /** A process's codes: its own code, then its `n` task codes, sorted. */
  private pushProcess(code: number, codes: readonly number[], n: number): void {
    this.push(code);
    this.push(n);
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      const flags = c % FLAG_SLOTS;
      const id = (c - flags) / FLAG_SLOTS;
      this.push(id * 2 + (flags !== 0 ? 1 : 0));
      if (flags !== 0) this.push(flags);
    }
  }

  /**
   * Prepares writeAfterStep() for the steps of task `ti` of process `pi` of `s`: the codes of the
   * process's other threads, sorted, and those of the other processes with a live task.
   */
  prepareSteps(model: SystemModel, s: SystemState, pi: number, ti: number): void {
    const p = s.processes[pi]!;
    const codes = this.otherCodes;
    let n = 0;
    let othersAlive = false;
    for (let i = 0; i < p.tasks.length; i++) {
      const t = p.tasks[i]!;
      if (i === ti || !onThreadList(t)) continue;
      n = insertSorted(codes, n, taskCode(model, t));
      othersAlive ||= isAlive(t);
    }
    this.others = n;
    this.othersAlive = othersAlive;
    this.memory = s.memory;
    this.vforkParent = p.vforkParent;
    let processes = 0;
    for (let q = 0; q < s.processes.length; q++) {
      const other = s.processes[q]!;
      if (q === pi || !hasLiveTask(other)) continue;
      this.length = 0;
      this.writeProcess(model, other);
      this.otherProcesses[processes++] = this.codes.slice(0, this.length);
    }
    this.processes = processes;
  }

  /**
   * Writes the key of the state a step of the task prepareSteps() was given leads to, from the state
   * it was given, when the step changes that task and its process's chart alone (a step the step
   * table holds): the task becomes `task`, the chart `processSnapshot`, the execs `execs`, and the
   * process the step made, if `forked`, is one more. The same codes as write() of that state, without
   * the state.
   */
  writeAfterStep(model: SystemModel, execs: number, task: TaskSlot, processSnapshot: ProcessSnapshot, forked?: ForkedProcess): void {
    this.begin(this.memory, execs);
    // A process without a live task has no codes.
    const live = this.othersAlive || isAlive(task);
    if (live) {
      const codes = this.taskCodes;
      let n = 0;
      for (let i = 0; i < this.others; i++) codes[n++] = this.otherCodes[i]!;
      if (onThreadList(task)) n = insertSorted(codes, n, taskCode(model, task));
      this.pushProcess(processCode(model, processSnapshot, this.vforkParent), codes, n);
    }
    const child = forked !== undefined && isAlive(forked.task) ? forked : undefined;
    if (this.processes === 0 && child === undefined) return;
    const each = this.otherProcesses.slice(0, this.processes);
    if (live) each.push(this.codes.slice(1, this.length));
    if (child !== undefined) {
      this.writeForked(model, execs, child);
      each.push(this.codes.slice(1, this.length));
    }
    this.pushSorted(each);
  }

  /**
   * Writes the key of the process a step of the task prepareSteps() was given made (`forked`), alone,
   * with the execs `execs`: a unit of its own in a search by units (its task is running, and it
   * has no vfork parent).
   */
  writeForked(model: SystemModel, execs: number, forked: ForkedProcess): void {
    this.begin(this.memory, execs);
    this.taskCodes[0] = taskCode(model, forked.task);
    this.pushProcess(processCode(model, forked.snapshot, null), this.taskCodes, 1);
  }

  /**
   * Rewrites the key after its first code (the memory and the execs) as the processes' code
   * sequences `each`, sorted: processes are interchangeable.
   */
  private pushSorted(each: number[][]): void {
    each.sort(compareCodes);
    const first = this.codes[0]!;
    this.length = 0;
    this.hash = FNV_OFFSET;
    this.push(first);
    for (const codes of each) for (const c of codes) this.push(c);
  }

  /** Starts a key: its first code, the memory and the execs. */
  private begin(memory: Memory, execs: number): void {
    this.length = 0;
    this.hash = FNV_OFFSET;
    this.push((memory === 'available' ? 0 : 1) + 2 * execs);
  }

  /** Writes the key of `s` reached with `execs` successful execs. */
  write(model: SystemModel, s: SystemState, execs: number): void {
    this.begin(s.memory, execs);
    let only: ProcessSlot | undefined;
    let more: ProcessSlot[] | undefined;
    for (const p of s.processes) {
      if (!hasLiveTask(p)) continue;
      if (only === undefined) only = p;
      else (more ??= [only]).push(p);
    }
    if (more === undefined) {
      if (only !== undefined) this.writeProcess(model, only);
      return;
    }
    const each = more.map((p) => {
      const from = this.length;
      this.writeProcess(model, p);
      return this.codes.slice(from, this.length);
    });
    this.pushSorted(each);
  }

  /** The codes written last, as a string. */
  text(): string {
    let k = '';
    for (let i = 0; i < this.length; i++) k += packed(this.codes[i]!);
    return k;
  }

  /** The process's codes alone, as a string: equal for interchangeable processes. */
  processText(model: SystemModel, p: ProcessSlot): string {
    this.length = 0;
    this.writeProcess(model, p);
    return this.text();
  }
}

function compareCodes(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * `n` (0 or more) as one-byte characters: seven bits per character, low bits first, every one but
 * the last with its high bit set, so that no packed number is a prefix of another.
 */
function packed(n: number): string {
  let s = '';
  while (n >= 0x80) {
    s += String.fromCharCode(0x80 | n % 0x80);
    n = Math.floor(n / 0x80);
  }
  return s + String.fromCharCode(n);
}

/** Whether two task slots are the same task in the same chart state (a replayed step copies slots). */
export function sameTask(model: SystemModel, a: TaskSlot, b: TaskSlot): boolean {
  return a === b || (a.name === b.name && a.suspended === b.suspended && a.stuckOn === b.stuckOn && model.task.id(a.snapshot) === model.task.id(b.snapshot));
}

/** The state's key as a string, for sets and maps of states outside the explorer's own table. */
export function canonicalKey(model: SystemModel, s: SystemState, execs: number): string {
  const codes = new CanonicalCodes();
  codes.write(model, s, execs);
  return codes.text();
}

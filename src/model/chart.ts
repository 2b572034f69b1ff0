// Runs one chart as the system needs it: pure transitions over snapshots, memoised per
// (snapshot, event) and interned, so exploration runs XState once per distinct local step.

import { createActor, initialTransition, transition, type AnyActorScope, type AnyStateMachine, type ExecutableActionObject, type SnapshotFrom } from 'xstate';
import type { ProcessEvent } from '../../machines/process-types.js';
import type { BufferChange, TaskEvent, TaskInput, TaskOutcome } from '../../machines/task-types.js';
import type { ProcessMachine, TaskMachine } from '../../machines/variants.js';

/** Where a chart step came from: a start with its input, or an event sent to a snapshot. */
export type ChartStepOrigin = { readonly input: unknown } | { readonly from: unknown; readonly event: TaskEvent | ProcessEvent };

/**
 * Whose chart a trace entry stepped, parallel to the trace: a task of the step's own process by its
 * position there, that process's chart, or a chart of another process (a fork child being born).
 * Positions, not names, so that a memoised effect replayed onto renamed tasks still says whose.
 */
export type TraceOwner = number | 'process' | 'other';

/** One step of one chart, as the system took it: the trace coverage is computed from. */
export interface ChartStepTrace {
  readonly chart: 'task' | 'process';
  readonly origin: ChartStepOrigin;
}

/** A chart step and what its emitted events said. */
export interface ChartStep<S> extends ChartStepTrace {
  readonly snapshot: S;
  readonly outcome: TaskOutcome | undefined;
  readonly bufferChanges: readonly BufferChange[];
  readonly permissionGranted: boolean;
}

/**
 * The memoised steps from one snapshot, found by the event's fields: each field's name, then its
 * value, one level each. Events are flat records of primitives, so the path identifies the event,
 * and walking it builds no string (a key written per event was most of a memoised send).
 */
class EventTrie<V> {
  private readonly next = new Map<TrieStep, EventTrie<V>>();
  value: V | undefined;

  child(k: TrieStep): EventTrie<V> {
    let c = this.next.get(k);
    if (c === undefined) this.next.set(k, (c = new EventTrie<V>()));
    return c;
  }

  /** The node of `event`, made on first use. */
  at(event: TaskEvent | ProcessEvent): EventTrie<V> {
    const fields = event as unknown as Record<string, string | number | boolean>;
    let node: EventTrie<V> = this;
    for (const name in fields) node = node.child(name).child(fields[name]!);
    return node;
  }
}

type Emitted = { type: string; outcome?: TaskOutcome; change?: BufferChange };

/** What a trie node is found by: a field's name, a primitive value, or a marker below. */
type TrieStep = string | number | boolean | null | undefined | symbol;

/** Marks the step after it as the number of an object's JSON text, never a primitive value. */
const PART = Symbol('part');
/** Marks an input that is not an object (a process chart starts from none). */
const NOT_AN_OBJECT = Symbol('not an object');

/**
 * The starts of a chart, found by their input: each field's name, then its value, where an object or
 * array among them stands for the number of its JSON text. The input is new each time, but its parts
 * (a parent's frames and altstack) are the parent snapshot's own, never changed: each is written out
 * once, and equal texts get one number. Walking it builds no string: a key written per start was slow
 * in a search that forks from every state.
 */
class InputTrie<V> {
  private readonly root = new EventTrie<V>();
  private readonly partIds = new WeakMap<object, number>();
  private readonly textIds = new Map<string, number>();

  /** The node of `input`, made on first use. */
  at(input: unknown): EventTrie<V> {
    if (typeof input !== 'object' || input === null) return this.root.child(NOT_AN_OBJECT).child(input as TrieStep);
    const fields = input as Record<string, unknown>;
    let node = this.root;
    for (const name in fields) {
      const v = fields[name];
      node = node.child(name);
      node = typeof v === 'object' && v !== null ? node.child(PART).child(this.partId(v)) : node.child(v as TrieStep);
    }
    return node;
  }

  private partId(part: object): number {
    const known = this.partIds.get(part);
    if (known !== undefined) return known;
    const text = JSON.stringify(part);
    let id = this.textIds.get(text);
    if (id === undefined) this.textIds.set(text, (id = this.textIds.size));
    this.partIds.set(part, id);
    return id;
  }
}

/** A snapshot with the ids the charts that interned it gave it, each under the chart's own symbol. */
type IdSlots = { [slot: symbol]: number | undefined };

/** Runs one chart with memoised, interned transitions: equal snapshots are the same object, with a small id. */
export class Chart<M extends TaskMachine | ProcessMachine> {
  private readonly keys = new WeakMap<object, string>();
  /**
   * Only interned snapshots have an id, kept on the snapshot itself under this chart's own symbol: a
   * property read, where a Map or WeakMap look-up took a tenth of the search (keys read every task's id).
   */
  private readonly idSlot: symbol = Symbol('chart id');
  private readonly interned = new Map<string, SnapshotFrom<M>>();
  private readonly starts = new InputTrie<ChartStep<SnapshotFrom<M>>>();
  /** Starts by the id of the snapshot their input is made from, then by the number of the other choices (startFrom). */
  private readonly startsFrom: (ChartStep<SnapshotFrom<M>>[] | undefined)[] = [];
  /** Memoised steps by the id of the snapshot they start from, then by the event's number (eventNumber). */
  private readonly steps: ((ChartStep<SnapshotFrom<M>> | undefined)[] | undefined)[] = [];
  /** A small number for every event sent so far, found by its fields. */
  private readonly eventNumbers = new EventTrie<number>();
  private eventCount = 0;
  /** The numbers of frozen events: the rules' constants, sent again and again as the same object. */
  private readonly constantEventNumbers = new WeakMap<object, number>();
  /** The frozen event numbered last, and its number. */
  private lastEvent: object | undefined;
  private lastEventNumber = -1;
  private scope: AnyActorScope | undefined;

  constructor(
    readonly name: 'task' | 'process',
    readonly machine: M,
    private readonly memoise: boolean,
  ) {}

  /** The snapshot as JSON: its state value and context; equal keys are interned to one object. */
  private key(snapshot: SnapshotFrom<M>): string {
    let k = this.keys.get(snapshot);
    if (k === undefined) {
      const s = snapshot as unknown as { value: unknown; context: unknown };
      k = JSON.stringify([s.value, s.context ?? null]);
      this.keys.set(snapshot, k);
    }
    return k;
  }

  /** A small number standing for key(snapshot): canonical state keys are built from these. */
  id(snapshot: SnapshotFrom<M>): number {
    const known = (snapshot as IdSlots)[this.idSlot];
    return known ?? (this.intern(snapshot) as IdSlots)[this.idSlot]!;
  }

  private intern(snapshot: SnapshotFrom<M>): SnapshotFrom<M> {
    const k = this.key(snapshot);
    const known = this.interned.get(k);
    if (known) return known;
    this.interned.set(k, snapshot);
    // Not enumerable: JSON, spreads and XState's own copies of a snapshot never see it.
    Object.defineProperty(snapshot, this.idSlot, { value: this.interned.size });
    return snapshot;
  }

  private collect(snapshot: SnapshotFrom<M>, actions: readonly { type: string; params?: unknown }[], origin: ChartStepOrigin): ChartStep<SnapshotFrom<M>> {
    const emitted = actions
      .filter((a) => a.type === 'xstate.emit')
      .map((a) => (a.params as { event: Emitted }).event);
    return {
      chart: this.name,
      origin,
      snapshot: this.intern(snapshot),
      outcome: emitted.find((e) => e.type === 'outcome')?.outcome,
      bufferChanges: emitted.filter((e) => e.type === 'buffer').map((e) => e.change as BufferChange),
      permissionGranted: emitted.some((e) => e.type === 'permissionGranted'),
    };
  }

  start(input: unknown): ChartStep<SnapshotFrom<M>> {
    const node = this.starts.at(input);
    if (node.value === undefined) {
      const [snapshot, actions] = initialTransition(this.machine as TaskMachine, input as TaskInput);
      node.value = this.collect(snapshot as SnapshotFrom<M>, actions, { input });
    }
    return node.value;
  }

  /**
   * The start whose input `input()` makes from `from`, a snapshot of this chart, and from what
   * `choice` (a small number) stands for: memoised by the two, so that a search that forks from every
   * state makes and walks each input once. `choice` must tell apart everything else the input reads.
   */
  startFrom(from: SnapshotFrom<M>, choice: number, input: () => unknown): ChartStep<SnapshotFrom<M>> {
    if (!this.memoise) return this.start(input());
    const id = this.id(from);
    // Grown one slot at a time, as the steps are.
    while (this.startsFrom.length <= id) this.startsFrom.push(undefined);
    const byChoice = (this.startsFrom[id] ??= []);
    return (byChoice[choice] ??= this.start(input()));
  }

  send(snapshot: SnapshotFrom<M>, event: TaskEvent | ProcessEvent): ChartStep<SnapshotFrom<M>> {
    if (!this.memoise) return this.run(snapshot, event);
    const id = this.id(snapshot);
    // Grown one slot at a time: an array written far past its end turns into a slow dictionary.
    while (this.steps.length <= id) this.steps.push(undefined);
    const fromHere = (this.steps[id] ??= []);
    const n = this.eventNumber(event);
    return (fromHere[n] ??= this.run(snapshot, event));
  }

  /**
   * The event's number: one walk of its fields, or, for a frozen event (a constant of the rules),
   * one look-up by the object, kept on first use.
   */
  private eventNumber(event: TaskEvent | ProcessEvent): number {
    // The same constant is often sent many times in a row (a group's end, to each of its threads).
    if (event === this.lastEvent) return this.lastEventNumber;
    const frozen = Object.isFrozen(event);
    if (frozen) {
      const known = this.constantEventNumbers.get(event);
      if (known !== undefined) {
        this.lastEvent = event;
        this.lastEventNumber = known;
        return known;
      }
    }
    const node = this.eventNumbers.at(event);
    const n = (node.value ??= this.eventCount++);
    if (frozen) {
      this.constantEventNumbers.set(event, n);
      this.lastEvent = event;
      this.lastEventNumber = n;
    }
    return n;
  }

  private run(snapshot: SnapshotFrom<M>, event: TaskEvent | ProcessEvent): ChartStep<SnapshotFrom<M>> {
    if (!this.memoise) {
      const [next, actions] = transition(this.machine as TaskMachine, snapshot as SnapshotFrom<TaskMachine>, event as TaskEvent);
      return this.collect(next as SnapshotFrom<M>, actions, { from: snapshot, event });
    }
    const actions: ExecutableActionObject[] = [];
    const scope = this.inertScope();
    scope.actionExecutor = (a) => actions.push(a);
    const next = (this.machine as TaskMachine).transition(snapshot as SnapshotFrom<TaskMachine>, event as TaskEvent, scope);
    return this.collect(next as SnapshotFrom<M>, actions, { from: snapshot, event });
  }

  /**
   * What xstate's transition() builds afresh on every call: an actor scope that runs nothing and
   * collects the actions. Building it starts an actor (the chart's initial state, computed and thrown
   * away), half the cost of a transition; the charts spawn no actors, so one scope serves every step.
   */
  private inertScope(): AnyActorScope {
    if (this.scope === undefined) {
      const self = createActor(this.machine as AnyStateMachine);
      this.scope = { self, id: '', sessionId: '', logger: () => {}, defer: () => {}, emit: () => {}, system: self.system, stopChild: () => {}, actionExecutor: () => {} };
    }
    return this.scope;
  }
}

// The op table: every user-visible kernel entry point the model knows, as a scenario op (cf. LKMM's
// .def). Everything else about an op is derived from its row: the scenario parser reads its fields,
// the system routes it by the kernel rule it names (src/model/rules.ts, which must implement every
// rule named here), the observation shows the fields it lists, the explorer offers its choices, the
// kernel executor makes it or says why not, and variants other than those listed lack it.

import { ALTSTACK_CLASSES } from './platform.js';
import type { VariantName } from './variants.js';

export type FieldKind =
  | { kind: 'integer' }
  | { kind: 'name' }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  /** A byte count (an integer from 0), or one of the names, each standing for a byte count or a mode. */
  | { kind: 'bytes'; names: readonly string[] };

export interface FieldSpec {
  readonly type: FieldKind;
  readonly required: boolean;
  readonly default?: string | number | boolean;
}

/**
 * How the system routes an op, by the kernel rule it follows. Three routes send the event of the op's
 * name to a chart; the others are rules that span threads or processes, one unit each in
 * src/model/rules.ts.
 */
export const ROUTES = [
  /** The process chart takes the event of the op's name (its fields, and `memory` when it reads memory). */
  'processEvent',
  /** The task chart of the step's task takes the event of the op's name. */
  'taskEvent',
  /** The task runs an instruction; a fault it raises meets the process's disposition. */
  'instruction',
  'requestPermission',
  'setDisposition',
  'cloneThread',
  'forkProcess',
  'execve',
  'exitThread',
  'deliverSignal',
  'sigreturn',
  'ptraceSetRegset',
  'memoryPressure',
] as const;
export type Route = (typeof ROUTES)[number];

/** State fields an observation shows after the op, read from the step's task when it still lives. */
export type ShownField = 'tiles' | 'buffer' | 'leakedBuffers';

/** Whether the kernel executor (native/amxexec.c) can make the op on a real kernel. */
export type ExecutorSupport = { readonly runs: 'always' } | { readonly runs: 'with-kvm' } | { readonly runs: 'never'; readonly why: string };

export type ChoiceFields = Readonly<Record<string, string | number | boolean>>;

export interface OpSpec {
  readonly op: string;
  readonly kernel: string;
  /** 'task' ops act on one thread, 'process' ops on its thread group, 'system' ops on the environment. */
  readonly scope: 'task' | 'process' | 'system';
  readonly fields: Readonly<Record<string, FieldSpec>>;
  readonly route: Route;
  readonly shows: readonly ShownField[];
  /** The op makes a task: a thread of the same process, or the first thread of a new one. */
  readonly creates?: 'thread' | 'process';
  /** The op changes no state: a query (semantics invariant 25). */
  readonly query?: boolean;
  /** The op reads the environment's memory: it can fail for it. */
  readonly readsMemory?: boolean;
  /**
   * The op can end a signal handler (rt_sigreturn), which puts back the altstack saved at delivery:
   * the only step that reads a saved SS_DISABLE flag (restore_altstack).
   */
  readonly returnsFromHandler?: boolean;
  /**
   * The op is made inside a signal handler (rt_sigreturn returns from one): a task that runs none
   * cannot take it (a scenario error), so the explorer offers it only to a task that runs one.
   */
  readonly inHandler?: boolean;
  /** Only these variants have the op; otherwise every variant does. */
  readonly onlyIn?: readonly VariantName[];
  /** The fields the explorer tries, one step per choice, in this order (a created task's name is added). */
  readonly explore: readonly ChoiceFields[];
  readonly executor: ExecutorSupport;
}

const required = (type: FieldKind): FieldSpec => ({ type, required: true });
const optional = (type: FieldKind, value: string | number | boolean): FieldSpec => ({ type, required: false, default: value });
const oneOf = (...values: string[]): FieldKind => ({ kind: 'enum', values });
/** An optional field that a step without it leaves out: its absence is the first value, as the explorer's steps have it. */
const absentMeansNone = (type: FieldKind): FieldSpec => ({ type, required: false });

const NONE: readonly ChoiceFields[] = [{}];
const OOM_CANNOT_BE_MADE: ExecutorSupport = {
  runs: 'never',
  why: 'the first-touch allocation cannot be made to fail: no fault injection, and the buffer is not charged to a memory cgroup (observed row 11)',
};
const ALWAYS: ExecutorSupport = { runs: 'always' };
const TILE_AND_BUFFER: readonly ShownField[] = ['tiles', 'buffer'];

/** The table, by op name: the order is the documentation's and the explorer's. */
const TABLE = {
  GET_SUPP: {
    kernel: 'arch_prctl(ARCH_GET_XCOMP_SUPP)',
    scope: 'process',
    fields: {},
    route: 'processEvent',
    shows: [],
    query: true,
    explore: NONE,
    executor: ALWAYS,
  },
  GET_PERM: {
    kernel: 'arch_prctl(ARCH_GET_XCOMP_PERM)',
    scope: 'process',
    fields: {},
    route: 'processEvent',
    shows: [],
    query: true,
    explore: NONE,
    executor: ALWAYS,
  },
  REQ_PERM: {
    kernel: 'arch_prctl(ARCH_REQ_XCOMP_PERM, feature)',
    scope: 'process',
    fields: { feature: required({ kind: 'integer' }) },
    route: 'requestPermission',
    shows: [],
    readsMemory: true,
    explore: [{ feature: 18 }],
    executor: ALWAYS,
  },
  GET_GUEST_PERM: {
    kernel: 'arch_prctl(ARCH_GET_XCOMP_GUEST_PERM)',
    scope: 'process',
    fields: {},
    route: 'processEvent',
    shows: [],
    query: true,
    explore: NONE,
    executor: ALWAYS,
  },
  REQ_GUEST_PERM: {
    kernel: 'arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM, feature)',
    scope: 'process',
    fields: { feature: required({ kind: 'integer' }) },
    route: 'processEvent',
    shows: [],
    explore: [{ feature: 18 }],
    executor: ALWAYS,
  },
  VCPU_CREATE: {
    kernel: 'ioctl(KVM_CREATE_VCPU) on a VM of this process',
    scope: 'process',
    fields: {},
    route: 'processEvent',
    shows: [],
    explore: NONE,
    executor: { runs: 'with-kvm' },
  },
  LDTILECFG: {
    kernel: 'LDTILECFG with the given palette (1 valid, 0 release, other reserved)',
    scope: 'task',
    fields: { palette: optional({ kind: 'integer' }, 1) },
    route: 'instruction',
    shows: TILE_AND_BUFFER,
    explore: [{ palette: 1 }],
    executor: ALWAYS,
  },
  TOUCH: {
    kernel: 'first tile-data instruction (TILEZERO/TILELOADD); #UD, XFD #NM or native',
    scope: 'task',
    fields: {},
    route: 'instruction',
    shows: TILE_AND_BUFFER,
    readsMemory: true,
    explore: NONE,
    executor: ALWAYS,
  },
  XRSTOR: {
    kernel:
      'user XRSTOR (RFBM = XCR0) of an image whose XSTATE_BV has no tile bits, bit 17 (a palette-1 config), or bits 17 and 18 (config and tile data)',
    scope: 'task',
    fields: { tileBits: optional(oneOf('none', 'config', 'data'), 'data') },
    route: 'instruction',
    shows: TILE_AND_BUFFER,
    readsMemory: true,
    explore: [{ tileBits: 'data' }, { tileBits: 'none' }],
    executor: ALWAYS,
  },
  TILERELEASE: {
    kernel: 'TILERELEASE',
    scope: 'task',
    fields: {},
    route: 'instruction',
    shows: TILE_AND_BUFFER,
    explore: NONE,
    executor: ALWAYS,
  },
  CHECK_TILES: {
    kernel: "XGETBV(1) and TILESTORED: are the task's tile data intact, init or lost",
    scope: 'task',
    fields: {},
    route: 'taskEvent',
    shows: TILE_AND_BUFFER,
    query: true,
    explore: NONE,
    executor: ALWAYS,
  },
  CLONE_THREAD: {
    kernel: 'clone(CLONE_VM|CLONE_THREAD|...) / pthread_create',
    scope: 'task',
    fields: { child: required({ kind: 'name' }) },
    route: 'cloneThread',
    shows: ['buffer'],
    creates: 'thread',
    readsMemory: true,
    explore: NONE,
    executor: ALWAYS,
  },
  FORK: {
    kernel: 'fork()',
    scope: 'task',
    fields: { child: required({ kind: 'name' }) },
    route: 'forkProcess',
    shows: ['buffer'],
    creates: 'process',
    readsMemory: true,
    explore: NONE,
    executor: ALWAYS,
  },
  VFORK: {
    kernel: 'vfork(): the parent waits until the child execs or exits',
    scope: 'task',
    fields: { child: required({ kind: 'name' }) },
    route: 'forkProcess',
    shows: ['buffer'],
    creates: 'process',
    readsMemory: true,
    explore: NONE,
    executor: ALWAYS,
  },
  EXEC: {
    kernel: 'execve(); fails: true is an exec that fails before the point of no return (ENOENT)',
    scope: 'task',
    fields: { fails: optional({ kind: 'boolean' }, false) },
    route: 'execve',
    shows: ['buffer', 'leakedBuffers'],
    explore: [{ fails: false }],
    executor: ALWAYS,
  },
  EXIT: {
    kernel: 'thread exit (SYS_exit / pthread_exit); the last thread ends the process',
    scope: 'task',
    fields: {},
    route: 'exitThread',
    shows: ['leakedBuffers'],
    explore: NONE,
    executor: ALWAYS,
  },
  SIGALTSTACK: {
    kernel:
      'sigaltstack() of `size` bytes, or of a size class (the platform\'s bytes for it), or SS_DISABLE; flags autodisarm: SS_AUTODISARM, the altstack is disarmed while a handler runs on it',
    scope: 'task',
    fields: { size: required({ kind: 'bytes', names: [...ALTSTACK_CLASSES, 'disable'] }), flags: absentMeansNone(oneOf('none', 'autodisarm')) },
    route: 'taskEvent',
    shows: ['buffer'],
    explore: [{ size: 'small' }, { size: 'window' }, { size: 'disable' }],
    executor: ALWAYS,
  },
  SIGALTSTACK_QUERY: {
    kernel: 'sigaltstack(NULL, &old): the installed size and flags (SS_DISABLE, SS_ONSTACK, SS_AUTODISARM)',
    scope: 'task',
    fields: {},
    route: 'taskEvent',
    shows: [],
    query: true,
    explore: NONE,
    executor: ALWAYS,
  },
  SET_DISPOSITION: {
    kernel: 'sigaction() for SIGILL or SIGSEGV (ignore: SIG_IGN)',
    scope: 'process',
    fields: { signal: required(oneOf('SIGILL', 'SIGSEGV')), handler: required(oneOf('default', 'skip', 'request-permission', 'ignore')) },
    route: 'setDisposition',
    shows: [],
    // A handler makes a fault a delivery and a sigreturn.
    returnsFromHandler: true,
    explore: [{ signal: 'SIGSEGV', handler: 'skip' }],
    executor: ALWAYS,
  },
  SIGNAL: {
    kernel: 'delivery of an asynchronous signal (SIGUSR1) to the task; onstack: SA_ONSTACK; shows the stack its handler runs on',
    scope: 'task',
    fields: { onstack: optional({ kind: 'boolean' }, false) },
    route: 'deliverSignal',
    shows: TILE_AND_BUFFER,
    explore: [{ onstack: true }],
    executor: ALWAYS,
  },
  SIGRETURN: {
    kernel: 'rt_sigreturn from the innermost handler, its frame edited per tileBits; xsaveHeader corrupt: reserved bytes 8-23 of the XSAVE header set',
    scope: 'task',
    fields: { tileBits: optional(oneOf('keep', 'forge', 'clear'), 'keep'), xsaveHeader: optional(oneOf('intact', 'corrupt'), 'intact') },
    route: 'sigreturn',
    shows: TILE_AND_BUFFER,
    returnsFromHandler: true,
    inHandler: true,
    explore: [{ tileBits: 'keep' }],
    executor: ALWAYS,
  },
  PTRACE_GETREGSET: {
    kernel: 'ptrace(PTRACE_GETREGSET, NT_X86_XSTATE) of the task by a tracer',
    scope: 'task',
    fields: {},
    route: 'taskEvent',
    shows: ['buffer'],
    query: true,
    explore: NONE,
    executor: ALWAYS,
  },
  PTRACE_SETREGSET: {
    kernel: 'ptrace(PTRACE_SETREGSET, NT_X86_XSTATE) into the task',
    scope: 'task',
    fields: { tileBits: optional(oneOf('config', 'data'), 'data'), length: optional(oneOf('full', 'short'), 'full') },
    route: 'ptraceSetRegset',
    shows: TILE_AND_BUFFER,
    readsMemory: true,
    explore: [{ tileBits: 'data', length: 'full' }],
    executor: ALWAYS,
  },
  CONTEXT_SWITCH: {
    kernel: 'the task is switched out and back in (switch_fpu, exit to user)',
    scope: 'task',
    fields: {},
    route: 'taskEvent',
    shows: TILE_AND_BUFFER,
    explore: NONE,
    executor: ALWAYS,
  },
  PREALLOC: {
    kernel: 'a per-thread pre-allocation call (prealloc-syscall variant only)',
    scope: 'task',
    fields: {},
    route: 'taskEvent',
    shows: TILE_AND_BUFFER,
    readsMemory: true,
    onlyIn: ['prealloc-syscall'],
    explore: NONE,
    executor: { runs: 'never', why: 'a syscall of the prealloc-syscall design, which Linux does not have' },
  },
  OOM_BEGIN: {
    kernel: 'vzalloc() starts failing (environment)',
    scope: 'system',
    fields: {},
    route: 'memoryPressure',
    shows: [],
    explore: NONE,
    executor: OOM_CANNOT_BE_MADE,
  },
  OOM_END: {
    kernel: 'vzalloc() succeeds again (environment)',
    scope: 'system',
    fields: {},
    route: 'memoryPressure',
    shows: [],
    explore: NONE,
    executor: OOM_CANNOT_BE_MADE,
  },
} as const satisfies Record<string, Omit<OpSpec, 'op'>>;

export type OpName = keyof typeof TABLE;

/** The ops that follow a route, as a type: the compiler holds the charts and rules to them. */
export type OpsRoutedTo<R extends Route> = { [K in OpName]: (typeof TABLE)[K]['route'] extends R ? K : never }[OpName];

// Every op's record has the same fields in the same order, an absent one undefined: the step function
// reads them on every step, and reading a field a record lacks, from records of five shapes, was slow.
export const OPS: readonly OpSpec[] = Object.entries(TABLE).map(([op, spec]) => ({ op, creates: undefined, query: undefined, readsMemory: undefined, onlyIn: undefined, ...spec }));

export const OP_NAMES: readonly string[] = OPS.map((o) => o.op);

const BY_NAME: ReadonlyMap<string, OpSpec> = new Map(OPS.map((o) => [o.op, o]));

export function opSpec(op: string): OpSpec | undefined {
  return BY_NAME.get(op);
}

/** Whether `variant` has the op (unknown ops: no). */
export function variantHasOp(variant: VariantName, op: string): boolean {
  const spec = opSpec(op);
  return spec !== undefined && (spec.onlyIn === undefined || spec.onlyIn.includes(variant));
}

/** The ops a variant has beyond those every variant has. */
export function extraOpsOf(variant: VariantName): readonly string[] {
  return OPS.filter((o) => o.onlyIn?.includes(variant) === true).map((o) => o.op);
}

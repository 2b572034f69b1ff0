// Named exploration configurations (cf. TLA+ .cfg files): bounds and the ops the explorer may take.
// They stay out of the charts, so one model is checked at several sizes.

import type { StepValue } from '../scenario/format.js';
import { OPS, opSpec, type OpName } from '../../machines/kernel-events.js';
import { lookupTable } from '../own.js';
import type { ModelOptions, SystemModel } from '../model/system.js';

/** An op with fixed fields; the explorer tries each choice for every live task. */
export interface OpChoice {
  readonly op: string;
  readonly fields?: Readonly<Record<string, StepValue>>;
}

export interface ExploreConfig {
  readonly name: string;
  readonly description: string;
  readonly maxProcesses: number;
  readonly maxThreadsPerProcess: number;
  /** Successful execs allowed along one path. */
  readonly maxExecs: number;
  /** Signal handlers that may be running at once in one task. */
  readonly maxSignalDepth: number;
  readonly ops: readonly OpChoice[];
}

/** The choices the op table gives each op, in the order the names are listed. */
function choicesOf(ops: readonly OpName[]): readonly OpChoice[] {
  return ops.flatMap((op) => opSpec(op)!.explore.map((fields) => ({ op, fields })));
}

const CORE_OPS: readonly OpName[] = [
  'REQ_PERM',
  'LDTILECFG',
  'TOUCH',
  'TILERELEASE',
  'CONTEXT_SWITCH',
  'CLONE_THREAD',
  'EXIT',
  'EXEC',
  'SIGALTSTACK',
  'SIGNAL',
  'SIGRETURN',
  'OOM_BEGIN',
  'OOM_END',
  'PREALLOC',
];
const CORE = choicesOf(CORE_OPS);
/** The ops beyond the core that `wide` adds (all but FORK). */
const SIDE = choicesOf(['REQ_GUEST_PERM', 'VCPU_CREATE', 'PTRACE_SETREGSET', 'GET_PERM', 'SET_DISPOSITION']);
const FORK = choicesOf(['FORK']);

/** By name; a table without a prototype, so `--config toString` names nothing (src/own.ts). */
export const CONFIGS: Readonly<Record<string, ExploreConfig>> = lookupTable({
  tiny: {
    name: 'tiny',
    description: '1 process x 1 thread, 1 exec, core ops: small enough to cross-check with xstate/graph',
    maxProcesses: 1,
    maxThreadsPerProcess: 1,
    maxExecs: 1,
    maxSignalDepth: 1,
    ops: CORE,
  },
  default: {
    name: 'default',
    description: '1 process x 2 threads, 1 exec, 1 signal handler at a time, core ops',
    maxProcesses: 1,
    maxThreadsPerProcess: 2,
    maxExecs: 1,
    maxSignalDepth: 1,
    ops: CORE,
  },
  wide: {
    name: 'wide',
    description: '1 process x 2 threads, 1 exec, 1 signal handler at a time, all op kinds but fork',
    maxProcesses: 1,
    maxThreadsPerProcess: 2,
    maxExecs: 1,
    maxSignalDepth: 1,
    ops: [...CORE, ...SIDE],
  },
  forks: {
    name: 'forks',
    description: '2 processes x 1 thread, 1 exec, core ops and fork: permission inheritance across processes',
    maxProcesses: 2,
    maxThreadsPerProcess: 1,
    maxExecs: 1,
    maxSignalDepth: 1,
    ops: [...CORE, ...FORK],
  },
  lazy: {
    name: 'lazy',
    description:
      '1 process x 2 threads, 1 exec, the lazy-permission pattern of runtimes: a SIGILL handler that requests permission, with tile use, altstacks, clone, exit and exec (no OOM, no asynchronous signals)',
    maxProcesses: 1,
    maxThreadsPerProcess: 2,
    maxExecs: 1,
    maxSignalDepth: 1,
    ops: [
      ...choicesOf(['REQ_PERM', 'LDTILECFG', 'TOUCH', 'TILERELEASE', 'CLONE_THREAD', 'EXIT', 'EXEC', 'SIGALTSTACK']),
      { op: 'SET_DISPOSITION', fields: { signal: 'SIGILL', handler: 'request-permission' } },
    ],
  },
  altstacks: {
    name: 'altstacks',
    description:
      '1 process x 2 threads, 1 signal handler at a time, the altstack rules: small and window altstacks with and without SS_AUTODISARM, the sigaltstack query, signals and sigreturn, permission and tile use (no exec, exit or OOM)',
    maxProcesses: 1,
    maxThreadsPerProcess: 2,
    maxExecs: 0,
    maxSignalDepth: 1,
    ops: [
      ...choicesOf(['REQ_PERM', 'LDTILECFG', 'TOUCH', 'CLONE_THREAD']),
      ...(['small', 'window', 'disable'] as const).map((size) => ({ op: 'SIGALTSTACK', fields: { size } })),
      ...(['small', 'window'] as const).map((size) => ({ op: 'SIGALTSTACK', fields: { size, flags: 'autodisarm' } })),
      ...choicesOf(['SIGALTSTACK_QUERY', 'SIGNAL', 'SIGRETURN']),
    ],
  },
  large: {
    name: 'large',
    description:
      '2 processes x 3 threads, 1 exec, the allocation argument at scale: permission, tile use, clone, exit, exec, fork, OOM (no signals or altstacks)',
    maxProcesses: 2,
    maxThreadsPerProcess: 3,
    maxExecs: 1,
    maxSignalDepth: 1,
    ops: [...choicesOf(['REQ_PERM', 'LDTILECFG', 'TOUCH', 'TILERELEASE', 'CLONE_THREAD', 'EXIT', 'EXEC', 'OOM_BEGIN', 'OOM_END', 'PREALLOC']), ...FORK],
  },
});

/** Whether a step of these ops can end a signal handler (the op table's returnsFromHandler). */
export function opsEndHandlers(ops: readonly OpChoice[]): boolean {
  return ops.some((c) => opSpec(c.op)?.returnsFromHandler === true);
}

/** The model options a search of `config` may use: those that only the ops it takes justify. */
export function modelOptionsFor(config: ExploreConfig): ModelOptions {
  return { memoise: true, handlersReturn: opsEndHandlers(config.ops) };
}

/** Throws where `model` leaves out what a step of `config` reads: a search of it would be unsound. */
export function requireModelFor(model: SystemModel, config: ExploreConfig): void {
  if (!model.handlersReturn && opsEndHandlers(config.ops))
    throw new RangeError('explorer: the model leaves out the saved SS_DISABLE flag, which these ops read (see modelOptionsFor)');
}

/** Bounds given one by one (`check --processes ... --ops ...`), over a preset. */
export interface Bounds {
  /** Infinity: every number of processes, each unit of processes searched apart (units.ts). */
  readonly processes?: number;
  readonly threads?: number;
  readonly execs?: number;
  readonly signalDepth?: number;
  /** The ops and the words that named them (`core`, `all`, or the list). */
  readonly ops?: { readonly choices: readonly OpChoice[]; readonly named: string };
}

/** Every op of the op table with the fields it offers the explorer, in the table's order. */
const ALL: readonly OpChoice[] = choicesOf(OPS.map((o) => o.op as OpName));

/**
 * The ops `--ops` names: `core` (the core ops of the presets), `all` (every op of the op table with
 * its explorer choices) or a comma-separated list of op names; or the name that is no op.
 */
export function opsNamed(spec: string): { readonly choices: readonly OpChoice[] } | { readonly unknown: string } {
  if (spec === 'core') return { choices: CORE };
  if (spec === 'all') return { choices: ALL };
  const names = spec.split(',').map((n) => n.trim());
  const unknown = names.find((n) => opSpec(n) === undefined);
  if (unknown !== undefined) return { unknown };
  return { choices: choicesOf(names as OpName[]) };
}

/** The preset with the given bounds replaced: a configuration the manifest does not record. */
export function boundedConfig(preset: ExploreConfig, b: Bounds): ExploreConfig {
  const processes = b.processes ?? preset.maxProcesses;
  const threads = b.threads ?? preset.maxThreadsPerProcess;
  const execs = b.execs ?? preset.maxExecs;
  const signalDepth = b.signalDepth ?? preset.maxSignalDepth;
  const count = (n: number, one: string, many = `${one}s`) => (n === Number.POSITIVE_INFINITY ? `any number of ${many}` : `${n} ${n === 1 ? one : many}`);
  return {
    name: `${preset.name} with bounds`,
    description: `${count(processes, 'process', 'processes')} x ${count(threads, 'thread')}, ${count(execs, 'exec')}, ${count(signalDepth, 'signal handler')} at a time, ops: ${b.ops?.named ?? `those of ${preset.name}`}`,
    maxProcesses: processes,
    maxThreadsPerProcess: threads,
    maxExecs: execs,
    maxSignalDepth: signalDepth,
    ops: b.ops?.choices ?? preset.ops,
  };
}

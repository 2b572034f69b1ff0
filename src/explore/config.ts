// Named exploration configurations (cf. TLA+ .cfg files): bounds and the ops the explorer may take.
// They stay out of the charts, so one model is checked at several sizes.

import type { StepValue } from '../scenario/format.js';
import { lookupTable } from '../own.js';

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

const CORE: readonly OpChoice[] = [
  { op: 'REQ_PERM', fields: { feature: 18 } },
  { op: 'LDTILECFG', fields: { palette: 1 } },
  { op: 'TOUCH' },
  { op: 'TILERELEASE' },
  { op: 'CONTEXT_SWITCH' },
  { op: 'CLONE_THREAD' },
  { op: 'EXIT' },
  { op: 'EXEC', fields: { fails: false } },
  { op: 'SIGALTSTACK', fields: { size: 'small' } },
  { op: 'SIGALTSTACK', fields: { size: 'window' } },
  { op: 'SIGALTSTACK', fields: { size: 'disable' } },
  { op: 'SIGNAL', fields: { onstack: true } },
  { op: 'SIGRETURN', fields: { tileBits: 'keep' } },
  { op: 'OOM_BEGIN' },
  { op: 'OOM_END' },
  { op: 'PREALLOC' },
];

const SIDE: readonly OpChoice[] = [
  { op: 'FORK' },
  { op: 'REQ_GUEST_PERM', fields: { feature: 18 } },
  { op: 'VCPU_CREATE' },
  { op: 'PTRACE_SETREGSET', fields: { tileBits: 'data', length: 'full' } },
  { op: 'GET_PERM' },
  { op: 'SET_DISPOSITION', fields: { signal: 'SIGSEGV', handler: 'skip' } },
];

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
    ops: [...CORE, ...SIDE.filter((o) => o.op !== 'FORK')],
  },
  forks: {
    name: 'forks',
    description: '2 processes x 1 thread, 1 exec, core ops and fork: permission inheritance across processes',
    maxProcesses: 2,
    maxThreadsPerProcess: 1,
    maxExecs: 1,
    maxSignalDepth: 1,
    ops: [...CORE, { op: 'FORK' }],
  },
  large: {
    name: 'large',
    description:
      '2 processes x 4 threads, 1 exec, the allocation argument at scale: permission, tile use, clone, exit, exec, fork, OOM (no signals or altstacks)',
    maxProcesses: 2,
    maxThreadsPerProcess: 4,
    maxExecs: 1,
    maxSignalDepth: 1,
    ops: CORE.filter((o) => ['REQ_PERM', 'LDTILECFG', 'TOUCH', 'TILERELEASE', 'CLONE_THREAD', 'EXIT', 'EXEC', 'OOM_BEGIN', 'OOM_END', 'PREALLOC'].includes(o.op)).concat([
      { op: 'FORK' },
    ]),
  },
});

// Every user-visible kernel entry point the model knows, as a scenario op: which syscall, instruction
// or trap it stands for, which machine takes it, and which fields a step may carry (cf. LKMM's .def).

import { ALTSTACK_CLASSES } from './platform.js';

export type FieldKind =
  | { kind: 'integer' }
  | { kind: 'name' }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] };

export interface FieldSpec {
  readonly type: FieldKind;
  readonly required: boolean;
  readonly default?: string | number | boolean;
}

export interface OpSpec {
  readonly op: string;
  readonly kernel: string;
  /** 'task' ops act on one thread, 'process' ops on its thread group, 'system' ops on the environment. */
  readonly scope: 'task' | 'process' | 'system';
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

const required = (type: FieldKind): FieldSpec => ({ type, required: true });
const optional = (type: FieldKind, value: string | number | boolean): FieldSpec => ({ type, required: false, default: value });
const oneOf = (...values: string[]): FieldKind => ({ kind: 'enum', values });

export const OPS: readonly OpSpec[] = [
  { op: 'GET_SUPP', kernel: 'arch_prctl(ARCH_GET_XCOMP_SUPP)', scope: 'process', fields: {} },
  { op: 'GET_PERM', kernel: 'arch_prctl(ARCH_GET_XCOMP_PERM)', scope: 'process', fields: {} },
  { op: 'REQ_PERM', kernel: 'arch_prctl(ARCH_REQ_XCOMP_PERM, feature)', scope: 'process', fields: { feature: required({ kind: 'integer' }) } },
  { op: 'GET_GUEST_PERM', kernel: 'arch_prctl(ARCH_GET_XCOMP_GUEST_PERM)', scope: 'process', fields: {} },
  { op: 'REQ_GUEST_PERM', kernel: 'arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM, feature)', scope: 'process', fields: { feature: required({ kind: 'integer' }) } },
  { op: 'VCPU_CREATE', kernel: 'ioctl(KVM_CREATE_VCPU) on a VM of this process', scope: 'process', fields: {} },
  { op: 'LDTILECFG', kernel: 'LDTILECFG with the given palette (1 valid, 0 release, other reserved)', scope: 'task', fields: { palette: optional({ kind: 'integer' }, 1) } },
  { op: 'TOUCH', kernel: 'first tile-data instruction (TILEZERO/TILELOADD); #UD, XFD #NM or native', scope: 'task', fields: {} },
  {
    op: 'XRSTOR',
    kernel: 'user XRSTOR (RFBM = XCR0) of an image whose XSTATE_BV has no tile bits, bit 17 (a palette-1 config), or bits 17 and 18 (config and tile data)',
    scope: 'task',
    fields: { tileBits: optional(oneOf('none', 'config', 'data'), 'data') },
  },
  { op: 'TILERELEASE', kernel: 'TILERELEASE', scope: 'task', fields: {} },
  { op: 'CHECK_TILES', kernel: "XGETBV(1) and TILESTORED: are the task's tile data intact, init or lost", scope: 'task', fields: {} },
  { op: 'CLONE_THREAD', kernel: 'clone(CLONE_VM|CLONE_THREAD|...) / pthread_create', scope: 'task', fields: { child: required({ kind: 'name' }) } },
  { op: 'FORK', kernel: 'fork()', scope: 'task', fields: { child: required({ kind: 'name' }) } },
  { op: 'VFORK', kernel: 'vfork(): the parent waits until the child execs or exits', scope: 'task', fields: { child: required({ kind: 'name' }) } },
  { op: 'EXEC', kernel: 'execve(); fails: true is an exec that fails before the point of no return (ENOENT)', scope: 'task', fields: { fails: optional({ kind: 'boolean' }, false) } },
  { op: 'EXIT', kernel: 'thread exit (SYS_exit / pthread_exit); the last thread ends the process', scope: 'task', fields: {} },
  { op: 'SIGALTSTACK', kernel: 'sigaltstack() with a size class, or SS_DISABLE', scope: 'task', fields: { size: required(oneOf(...ALTSTACK_CLASSES, 'disable')) } },
  { op: 'SET_DISPOSITION', kernel: 'sigaction() for SIGILL or SIGSEGV', scope: 'process', fields: { signal: required(oneOf('SIGILL', 'SIGSEGV')), handler: required(oneOf('default', 'skip', 'request-permission')) } },
  { op: 'SIGNAL', kernel: 'delivery of an asynchronous signal (SIGUSR1) to the task; onstack: SA_ONSTACK', scope: 'task', fields: { onstack: optional({ kind: 'boolean' }, false) } },
  {
    op: 'SIGRETURN',
    kernel: 'rt_sigreturn from the innermost handler, its frame edited per tileBits; xsaveHeader corrupt: reserved bytes 8-23 of the XSAVE header set',
    scope: 'task',
    fields: { tileBits: optional(oneOf('keep', 'forge', 'clear'), 'keep'), xsaveHeader: optional(oneOf('intact', 'corrupt'), 'intact') },
  },
  { op: 'PTRACE_GETREGSET', kernel: 'ptrace(PTRACE_GETREGSET, NT_X86_XSTATE) of the task by a tracer', scope: 'task', fields: {} },
  { op: 'PTRACE_SETREGSET', kernel: 'ptrace(PTRACE_SETREGSET, NT_X86_XSTATE) into the task', scope: 'task', fields: { tileBits: optional(oneOf('config', 'data'), 'data'), length: optional(oneOf('full', 'short'), 'full') } },
  { op: 'CONTEXT_SWITCH', kernel: 'the task is switched out and back in (switch_fpu, exit to user)', scope: 'task', fields: {} },
  { op: 'PREALLOC', kernel: 'a per-thread pre-allocation call (prealloc-syscall variant only)', scope: 'task', fields: {} },
  { op: 'OOM_BEGIN', kernel: 'vzalloc() starts failing (environment)', scope: 'system', fields: {} },
  { op: 'OOM_END', kernel: 'vzalloc() succeeds again (environment)', scope: 'system', fields: {} },
];

export const OP_NAMES: readonly string[] = OPS.map((o) => o.op);

export function opSpec(op: string): OpSpec | undefined {
  return OPS.find((o) => o.op === op);
}

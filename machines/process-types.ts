// The vocabulary of the process chart (machines/process.ts): its input, events and what it emits.
// The composition (src/model/system.ts) shares these types without building a chart.

import type { Memory, TaskOutcome } from './task-types.js';

export type SigillHandler = 'default' | 'skip' | 'request-permission' | 'ignore';
export type SigsegvHandler = 'default' | 'skip' | 'ignore';

/** What fork copies (fpu_inherit_perms, copy_sighand); a fresh process passes nothing. */
export interface ProcessInput {
  readonly hostPermitted: boolean;
  readonly guestPermitted: boolean;
  readonly guestLocked: boolean;
  readonly sigill: SigillHandler;
  readonly sigsegv: SigsegvHandler;
}

export type ProcessEvent =
  | { type: 'GET_SUPP' }
  | { type: 'GET_PERM' }
  | { type: 'REQ_PERM'; feature: number; smallAltstackInProcess: boolean; memory: Memory }
  | { type: 'GET_GUEST_PERM' }
  | { type: 'REQ_GUEST_PERM'; feature: number }
  | { type: 'VCPU_CREATE' }
  | { type: 'SET_DISPOSITION'; signal: 'SIGILL'; handler: SigillHandler }
  | { type: 'SET_DISPOSITION'; signal: 'SIGSEGV'; handler: SigsegvHandler }
  | { type: 'EXEC' };

export type ProcessEmitted = { type: 'outcome'; outcome: TaskOutcome } | { type: 'permissionGranted' };

// The vocabulary of the task chart (machines/task.ts): its context, input, events and what it emits,
// and the kernel facts they carry. The composition (src/model/system.ts), the process chart and the
// tests share these types without building a chart.

import type { AltstackSize } from './platform.js';

/** What a state or transition of the charts may say about itself: the kernel source or observation it follows. */
export interface ChartMeta {
  readonly source: string;
}

export type Memory = 'available' | 'exhausted';
export type Errno = 'EINVAL' | 'EOPNOTSUPP' | 'ENOSPC' | 'ENOMEM' | 'EBUSY' | 'EFAULT' | 'EPERM' | 'ENOENT';
export type SignalName = 'SIGILL' | 'SIGSEGV';
export type SiCode = 'ILL_ILLOPC' | 'ILL_ILLOPN' | 'SI_KERNEL';
export type TileDataState = 'init' | 'live' | 'lost';
/** The tile bits of XSTATE_BV in a user XRSTOR's image (RFBM = XCR0): none, the config (17), or config and data (17, 18). */
export type XrstorTileBits = 'none' | 'config' | 'data';
/** What a signal handler does to the tile bits of its frame's XSTATE_BV before returning. */
export type SigreturnTileBits = 'keep' | 'forge' | 'clear';
export type FrameSize = 'default' | 'large';

/**
 * A thread's sigaltstack as the kernel keeps it: sas_ss_size (0: none) and sas_ss_flags, whose
 * SS_DISABLE and SS_AUTODISARM bits are kept apart from the size. A sigreturn that puts back a saved
 * altstack of 0 bytes removes the current one only where the saved flags say SS_DISABLE
 * (restore_altstack -> do_sigaltstack; otherwise ENOMEM, ignored), and exec clears the size but not the flags.
 */
export interface Altstack {
  readonly bytes: number;
  readonly autodisarm: boolean;
  /** sas_ss_flags has SS_DISABLE: sigaltstack(SS_DISABLE), or sas_ss_reset() (a new thread, an SS_AUTODISARM delivery). */
  readonly ssDisable: boolean;
}

/** The first thread of a process whose ancestors never set an altstack: sas_ss_flags 0 (init_task's). */
export const NEVER_SET_ALTSTACK: Altstack = { bytes: 0, autodisarm: false, ssDisable: false };

/** sas_ss_reset(): sp = size = 0, flags = SS_DISABLE. */
export const RESET_ALTSTACK: Altstack = { bytes: 0, autodisarm: false, ssDisable: true };

/** A signal frame on the task's stack: how big it is, where it is, and what it saved. */
export interface SignalFrame {
  readonly size: FrameSize;
  readonly onAltstack: boolean;
  /** The frame went to the top of the installed altstack (get_sigframe's entering_altstack); nested frames follow it. */
  readonly entersAltstack: boolean;
  /** uc_stack: the altstack installed at delivery, before SS_AUTODISARM reset it; sigreturn puts it back. */
  readonly savedAltstack: Altstack;
  readonly savedConfig: boolean;
  readonly savedTiles: TileDataState;
}

export interface TaskContext {
  /** Signal frames of the handlers now running, innermost last. */
  readonly frames: readonly SignalFrame[];
  /** thread_group_leader(): the process's first thread, or the thread that exec()ed last (de_thread). */
  readonly leader: boolean;
  readonly altstack: Altstack;
}

/** The stack a signal handler runs on. */
export type HandlerStack = 'altstack' | 'thread';

/** How a task starts: what clone/fork copies into it (E15-E17). */
export interface TaskInput {
  readonly permitted: boolean;
  readonly altstack: Altstack;
  readonly tileConfig: boolean;
  readonly memory: Memory;
  /** fork() copies the whole thread, a handler's frames included: a child forked in a handler runs in it. */
  readonly frames: readonly SignalFrame[];
  /** The first thread of a new process (fork, vfork) leads its group; a CLONE_THREAD thread does not. */
  readonly leader: boolean;
}

export type TaskEvent =
  | { type: 'PERMISSION_GRANTED'; memory: Memory }
  | { type: 'LDTILECFG'; palette: number }
  | { type: 'TOUCH'; memory: Memory }
  | { type: 'XRSTOR'; tileBits: XrstorTileBits; memory: Memory }
  | { type: 'TILERELEASE' }
  | { type: 'CHECK_TILES' }
  | { type: 'SIGALTSTACK'; size: AltstackSize | 'disable'; flags?: 'none' | 'autodisarm' }
  | { type: 'SIGALTSTACK_QUERY' }
  | { type: 'SIGNAL'; onstack: boolean }
  | { type: 'SIGRETURN'; tileBits: SigreturnTileBits; xsaveHeader?: 'intact' | 'corrupt' }
  | { type: 'PTRACE_GETREGSET' }
  | { type: 'CONTEXT_SWITCH' }
  | { type: 'PREALLOC'; memory: Memory }
  | { type: 'EXEC' }
  | { type: 'EXIT'; otherThreadsRun: boolean }
  | { type: 'RELEASED' }
  | { type: 'KILLED'; by: SignalName | 'exec' }
  | RegisterEvent;

/** Raised inside the chart: the tile registers and the altstack changing under the regions that track them. */
export type RegisterEvent =
  | { type: 'tiles.configLoaded' }
  | { type: 'tiles.configCleared' }
  | { type: 'tiles.dataLoaded' }
  | { type: 'tiles.dataInit' }
  | { type: 'tiles.dataLost' }
  | { type: 'altstack.disarmed' }
  | { type: 'altstack.restored'; altstack: Altstack };

/** What the task saw. `fault` marks a synchronous forced signal whose fate the process disposition decides. */
export interface TaskOutcome {
  readonly result: 'ok' | Errno | SignalName;
  readonly si_code?: SiCode;
  readonly fault?: boolean;
  readonly fatal?: boolean;
  readonly bitmap?: string;
  readonly frameHasTiles?: boolean;
  /** SIGNAL: the stack the handler runs on. */
  readonly stack?: HandlerStack;
  /** SIGALTSTACK_QUERY: the old stack_t's ss_size and ss_flags (names joined by |, or 0). */
  readonly ss_size?: number;
  readonly ss_flags?: string;
}

export type BufferChange = 'allocated' | 'freed' | 'orphaned';

export type TaskEmitted = { type: 'outcome'; outcome: TaskOutcome } | { type: 'buffer'; change: BufferChange };

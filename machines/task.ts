// The per-task (thread) AMX lifecycle of Linux 5.16+ as measured on 6.18: XFD arming, the lazy
// large fpstate buffer, tile register contents, the sigaltstack and signal frames.
//
// Written to be read as data: every guard is named after the kernel rule it encodes (setup() below
// defines each, the facts about other regions as stateIn() too), every transition is written out, and
// the kernel source or observation a state or transition follows is its `meta.source`, which the
// diagrams show (src/diagram). Comments say why.
//
// Process-wide facts (permission, signal dispositions, memory) reach the task as events sent by the
// composition in src/model/system.ts; the task reports what it observed with emitted `outcome` events
// and changes to kernel memory with emitted `buffer` events. Nothing here has side effects.

import { and, assign, emit, enqueueActions, not, or, raise, setup, stateIn } from 'xstate';
import {
  XTILE_CFG_MASK,
  XTILE_DATA_MASK,
  hex,
  altstackSizeBytes,
  sigaltstackRefusalLimitWhenPermitted,
  type PlatformProfile,
} from './platform.js';
import {
  RESET_ALTSTACK,
  type Altstack,
  type BufferChange,
  type ChartMeta,
  type FrameSize,
  type RegisterEvent,
  type SignalFrame,
  type SignalName,
  type TaskContext,
  type TaskEmitted,
  type TaskEvent,
  type TaskInput,
  type TaskOutcome,
  type TileDataState,
} from './task-types.js';

/** The input of the init event: what the new task inherits. Later events carry none. */
function initInput(event: unknown): TaskInput | undefined {
  const e = event as { type?: string; input?: TaskInput };
  return e.type === 'xstate.init' ? e.input : undefined;
}

function report(outcome: TaskOutcome) {
  return emit<TaskContext, TaskEvent, undefined, TaskEvent, TaskEmitted>({ type: 'outcome', outcome });
}

function bufferChange(change: BufferChange) {
  return emit<TaskContext, TaskEvent, undefined, TaskEvent, TaskEmitted>({ type: 'buffer', change });
}

/** The named guards about other regions that an action reads while it runs. */
type RegionFact = 'largeBufferAllocated' | 'tileConfigLoaded' | 'tileDataLive' | 'tileDataLost' | 'frameGoesOnAltstack' | 'entersAltstack' | 'onSigStack';

type InspectingArgs = {
  context: TaskContext;
  event: TaskEvent;
  enqueue: { assign(a: Partial<TaskContext>): void; emit(e: TaskEmitted): void; raise(e: RegisterEvent): void };
  /** Whether a named guard about other regions holds, read while the action runs. */
  holds(fact: RegionFact): boolean;
};

/** An action that reads the other regions while it runs; typed here, outside setup(). */
function inspecting(collect: (args: InspectingArgs) => void) {
  return enqueueActions<TaskContext, TaskEvent, undefined, TaskEvent, never, never, never, never, TaskEmitted>(
    ({ context, event, enqueue, check }) =>
      collect({
        context,
        event,
        enqueue: { assign: (a) => enqueue.assign(a), emit: (e) => enqueue.emit(e), raise: (e) => enqueue.raise(e) },
        holds: (fact) => check(fact as never),
      }),
  );
}

function registers(type: Exclude<RegisterEvent, { altstack: Altstack }>['type']) {
  return raise<TaskContext, TaskEvent, TaskEvent, undefined>({ type });
}

/** The frames on the altstack the task runs on now: from the last one that entered it, innermost last. */
function framesOnCurrentAltstack(frames: readonly SignalFrame[]): readonly SignalFrame[] {
  let entered = frames.length - 1;
  while (entered >= 0 && !frames[entered]!.entersAltstack) entered--;
  return entered < 0 || frames.slice(entered).some((f) => !f.onAltstack) ? [] : frames.slice(entered);
}

function bytesUsed(frames: readonly SignalFrame[], p: PlatformProfile): number {
  return frames.reduce((sum, f) => sum + p.frameBytes[f.size] + p.handlerStackBytes, 0);
}

/** The bytes a SIGALTSTACK asks for, or those of the altstack a sigreturn puts back; SS_DISABLE stores 0. */
function requestedBytes(event: TaskEvent, p: PlatformProfile): number | undefined {
  if (event.type === 'SIGALTSTACK') return event.size === 'disable' ? 0 : altstackSizeBytes(p, event.size);
  if (event.type === 'altstack.restored') return event.altstack.bytes;
  return undefined;
}

/** sigaltstack(NULL, &old)'s ss_flags: sas_ss_flags(sp) | (sas_ss_flags & SS_FLAG_BITS). */
function ssFlags(altstack: Altstack, onSigStack: boolean): string {
  const names = [...(onSigStack ? ['SS_ONSTACK'] : []), ...(altstack.bytes === 0 ? ['SS_DISABLE'] : []), ...(altstack.autodisarm ? ['SS_AUTODISARM'] : [])];
  return names.length > 0 ? names.join('|') : '0';
}

/** What createTaskMachine() adds to the merged chart for a variant that has more than a provide() can give. */
export interface TaskChartOptions {
  /** The per-thread PREALLOC call of the prealloc-syscall variant; the merged ABI has no such call. */
  readonly preallocSyscall?: boolean;
}

/**
 * Builds the task chart of the merged Linux design for one platform profile. Variants provide() over
 * it, or build it with the options that add what only they have (machines/variants.ts).
 */
export function createTaskMachine(p: PlatformProfile, options: TaskChartOptions = {}) {
  // prealloc-syscall: PREALLOC is EPERM without permission, allocates the buffer now (or fails with
  // ENOMEM) with it, and does nothing more once the buffer is large. Without the option no state
  // takes the event: the merged ABI has no such call, and the composition sends it only to a variant
  // that lists it in extraOps.
  const preallocSyscall = options.preallocSyscall === true;
  const preallocWhenUnpermitted = preallocSyscall ? ({ PREALLOC: { actions: 'reportEperm' } } as const) : {};
  const preallocWhenPermitted = preallocSyscall
    ? ({
        PREALLOC: [
          { guard: 'memoryExhausted', actions: 'reportEnomem' },
          { target: 'allocated', actions: ['allocateLargeBuffer', 'reportOk'] },
        ],
      } as const)
    : {};
  const preallocWhenAllocated = preallocSyscall ? ({ PREALLOC: { actions: 'reportOk' } } as const) : {};

  return setup({
    types: {
      context: {} as TaskContext,
      events: {} as TaskEvent,
      input: {} as TaskInput,
      emitted: {} as TaskEmitted,
      meta: {} as ChartMeta,
    },
    guards: {
      // Copied at clone: the permission lives in the group leader (xstate_get_group_perm).
      inheritsPermission: ({ event }) => initInput(event)?.permitted === true,
      inheritsTileConfig: ({ event }) => initInput(event)?.tileConfig === true,
      inheritsAltstack: ({ event }) => (initInput(event)?.altstack.bytes ?? 0) > 0,
      memoryExhaustedAtClone: ({ event }) => initInput(event)?.memory === 'exhausted',
      memoryExhausted: ({ event }) => 'memory' in event && event.memory === 'exhausted',
      /** Merged design: clone never allocates an AMX buffer (fpu_clone gives the default fpstate). */
      cloneAllocatesBuffer: () => false,
      /** Merged design: ARCH_REQ_XCOMP_PERM only records permission; it allocates nothing (invariant 19). */
      permissionAllocatesBuffer: () => false,
      /** Merged design: XFD is armed for every task, so tile data instructions trap until expansion. */
      tileDataAccessTraps: () => true,
      // source: Intel SDM, AMX instructions: #UD unless CPUID reports AMX-TILE and XCR0[18:17] = 11b.
      // A CPU without AMX (or one whose hypervisor hides it) has none (observed-no-amx N12, N13).
      tileInstructionsExist: () => p.amxUsable,
      // source: xstate.c:validate_user_xstate_header() via fpu__restore_sig(): XSTATE_BV bits outside
      // XCR0 make a bad frame. Where AMX exists XCR0 has bits 17 and 18 (observed-no-amx N20).
      tileBitsInXcr0: () => p.amxUsable,
      xrstorLoadsTileData: ({ event }) => event.type === 'XRSTOR' && event.tileBits === 'data',
      xrstorLoadsTileConfig: ({ event }) => event.type === 'XRSTOR' && event.tileBits === 'config',
      xrstorSetsTileBits: ({ event }) => event.type === 'XRSTOR' && event.tileBits !== 'none',
      paletteIsValid: ({ event }) => event.type === 'LDTILECFG' && event.palette === 1,
      paletteIsZero: ({ event }) => event.type === 'LDTILECFG' && event.palette === 0,
      // The altstack a SIGALTSTACK asks for, or the one sigreturn puts back (do_sigaltstack() both).
      // A saved altstack of 0 bytes without SS_DISABLE (a thread that never set one, or one exec cleared)
      // is a request for 0 bytes that MINSIGSTKSZ refuses: it disables nothing.
      requestedDisable: ({ event }) => (event.type === 'SIGALTSTACK' ? event.size === 'disable' : event.type === 'altstack.restored' && event.altstack.ssDisable),
      altstackFitsAmxFrame: ({ event }) => (requestedBytes(event, p) ?? 0) > sigaltstackRefusalLimitWhenPermitted(p),
      altstackAtLeastMinimum: ({ event }) => (requestedBytes(event, p) ?? 0) >= p.legacyMinSigStackSize,
      handlerAsksForAltstack: ({ event }) => event.type === 'SIGNAL' && event.onstack,
      // __save_altstack(): a thread whose altstack has SS_AUTODISARM loses it at every delivery (sas_ss_reset).
      altstackAutodisarms: ({ context }) => context.altstack.autodisarm,
      // on_sig_stack() is 0 for an SS_AUTODISARM altstack: the altstack the task runs on was entered
      // without the flag, so it is still the installed one (sigaltstack() refused to change it).
      enteredAltstackKeepsArmed: ({ context }) => framesOnCurrentAltstack(context.frames)[0]?.savedAltstack.autodisarm === false,
      // get_sigframe(): a frame at or below the altstack's base is an overflow (__on_sig_stack: sp > base;
      // altstack-probe: 2952 bytes take no 2952-byte frame, 2953 do). A task that enters the altstack
      // starts at its top; one already on it (the installed one, or one SS_AUTODISARM disarmed) goes below its frames.
      frameOverflowsAltstack: ({ context }, params: { frame: FrameSize }) => {
        const nested = framesOnCurrentAltstack(context.frames);
        const enters = nested.length === 0;
        const limit = nested[0]?.savedAltstack.bytes ?? context.altstack.bytes;
        return (enters ? 0 : bytesUsed(nested, p)) + p.frameBytes[params.frame] >= limit;
      },
      innermostFrameIsDefaultSize: ({ context }) => context.frames.at(-1)?.size === 'default',
      innermostFrameIsLarge: ({ context }) => context.frames.at(-1)?.size === 'large',
      inheritsHandlerFrames: ({ event }) => (initInput(event)?.frames.length ?? 0) > 0,
      inheritsHandlerOnAltstack: ({ event }) => initInput(event)?.frames.at(-1)?.onAltstack === true,
      innermostFrameOnAltstack: ({ context }) => context.frames.at(-1)?.onAltstack === true,
      noFramesLeft: ({ context }) => context.frames.length === 0,
      handlerClearsTileBits: ({ event }) => event.type === 'SIGRETURN' && event.tileBits === 'clear',
      handlerForgesTileBits: ({ event }) => event.type === 'SIGRETURN' && event.tileBits === 'forge',
      handlerCorruptsXsaveHeader: ({ event }) => event.type === 'SIGRETURN' && event.xsaveHeader === 'corrupt',
      killedBy: ({ event }, params: { by: SignalName | 'exec' }) => event.type === 'KILLED' && event.by === params.by,
      // thread_group_leader(): its task_struct carries the group's signal and permission state.
      isGroupLeader: ({ context }) => context.leader,
      otherThreadsRun: ({ event }) => event.type === 'EXIT' && event.otherThreadsRun,

      // What the other regions say, read by guards and by actions while they run (RegionFact).
      // fpstate_realloc() gave the task the large buffer, and XFD is disarmed for it.
      largeBufferAllocated: stateIn({ alive: { buffer: 'allocated' } }),
      // The process holds no permission for a dynamic feature (fpu->perm.__state_perm).
      amxNotPermitted: stateIn({ alive: { buffer: 'unpermitted' } }),
      tileConfigLoaded: stateIn({ alive: { tileConfig: 'configured' } }),
      tileDataLive: stateIn({ alive: { tileData: 'live' } }),
      tileDataLost: stateIn({ alive: { tileData: 'lost' } }),
      // on_sig_stack(): the task runs a handler on its altstack now.
      runningOnAltstack: stateIn({ alive: { signal: { handling: 'onAltstack' } } }),
      // sas_ss_flags() is SS_DISABLE: no altstack installed, or SS_AUTODISARM disarmed it.
      noAltstackInstalled: stateIn({ alive: { altstack: 'none' } }),

      // Kernel rules made of the named guards above, so that a diagram prints the rule's name. A guard
      // that a variant replaces stays in the transitions themselves, where its diagram shows it by name.
      // exit_notify(): a leader whose threads still run is not reaped (delay_group_leader) but stays a zombie.
      leaderOutlivedByThreads: and(['isGroupLeader', 'otherThreadsRun']),
      // #UD: no AMX at all, or a tile data instruction with no tile configuration; it wins over XFD (row 2h).
      touchIsInvalidOpcode: or([not('tileInstructionsExist'), not('tileConfigLoaded')]),
      // switch_fpu(): XSAVES with RFBM = fpstate->xfeatures keeps tile data only if the buffer has room.
      tileDataOutgrowsBuffer: and(['tileDataLive', not('largeBufferAllocated')]),
      // sigaltstack_size_valid(): without a dynamic feature permitted (and without strict mode) any size
      // of at least MINSIGSTKSZ is accepted; with AMX permitted the size must exceed the AMX threshold.
      altstackSizeValid: or(['amxNotPermitted', 'altstackFitsAmxFrame']),
      // on_sig_stack(): the task runs on the installed altstack, which has no SS_AUTODISARM.
      onSigStack: and(['runningOnAltstack', 'enteredAltstackKeepsArmed']),
      // get_sigframe(): an SA_ONSTACK handler goes to the top of an installed altstack it is not on
      // (sas_ss_flags(sp) == 0), and a task already on altstack memory stays on it.
      entersAltstack: and(['handlerAsksForAltstack', not('noAltstackInstalled'), not('onSigStack')]),
      frameGoesOnAltstack: or(['entersAltstack', 'runningOnAltstack']),
    },
    actions: {
      reportOk: report({ result: 'ok' }),
      reportEperm: report({ result: 'EPERM' }),
      reportEnomem: report({ result: 'ENOMEM' }),
      // #UD: with no tile configuration loaded, a tile data instruction is undefined; it wins over XFD (p02, 2h).
      // Without AMX every tile instruction is undefined (observed-no-amx N12, N13).
      raiseInvalidOpcode: report({ result: 'SIGILL', si_code: 'ILL_ILLOPN', fault: true }),
      // handle_xfd_event(): no permission -> force_sig_fault(SIGILL, ILL_ILLOPC, ip).
      raiseXfdSigill: report({ result: 'SIGILL', si_code: 'ILL_ILLOPC', fault: true }),
      // handle_xfd_event(): fpstate_realloc() failed -> force_sig(SIGSEGV), si_code SI_KERNEL (E10).
      raiseAllocationFailureSigsegv: report({ result: 'SIGSEGV', si_code: 'SI_KERNEL', fault: true }),
      // LDTILECFG with a reserved palette raises #GP (p02, 2i).
      raiseGeneralProtection: report({ result: 'SIGSEGV', si_code: 'SI_KERNEL', fault: true }),
      // rt_sigreturn() with a bad frame -> signal_fault() -> force_sig(SIGSEGV), si_code SI_KERNEL (no-amx N20).
      raiseBadFrameSigsegv: report({ result: 'SIGSEGV', si_code: 'SI_KERNEL', fault: true }),
      // get_sigframe() overflow -> force_sigsegv(): the signal is dropped and SIGSEGV forced; it kills
      // unless a SIGSEGV handler can run (the composition decides; p06, 6h, altstack probe).
      killByAltstackOverflow: report({ result: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: true }),
      reportCloneFailure: report({ result: 'ENOMEM' }),
      allocateLargeBuffer: bufferChange('allocated'),
      freeLargeBuffer: bufferChange('freed'),
      // fpu_flush_thread() -> fpstate_reset() repoints fpstate at the embedded buffer without vfree (S2, p09 9c).
      dropLargeBufferAtExec: bufferChange('orphaned'),
      loadTileConfig: registers('tiles.configLoaded'),
      clearTileConfig: registers('tiles.configCleared'),
      loadTileData: registers('tiles.dataLoaded'),
      initTileData: registers('tiles.dataInit'),
      loseTileData: registers('tiles.dataLost'),
      reportRegset: inspecting(({ enqueue, holds }) => {
        // regset.c:xstateregs_get(): XSTATE_BV is the tracee's in-use features; bit 18 needs the large buffer.
        const bits =
          (holds('tileConfigLoaded') ? XTILE_CFG_MASK : 0) | (holds('largeBufferAllocated') && holds('tileDataLive') ? XTILE_DATA_MASK : 0);
        enqueue.emit({ type: 'outcome', outcome: { result: 'ok', bitmap: hex(bits) } });
      }),
      // fpu/signal.c:copy_fpstate_to_sigframe(): the frame is sized by the buffer, and holds tile data only
      // when the buffer has room for it; the handler then starts with AMX in INIT (fpu__clear_user_states).
      pushSignalFrame: inspecting(({ enqueue, holds, context }) => {
        const size: FrameSize = holds('largeBufferAllocated') ? 'large' : 'default';
        const savedTiles: TileDataState = holds('tileDataLive') ? (size === 'large' ? 'live' : 'lost') : holds('tileDataLost') ? 'lost' : 'init';
        const onAltstack = holds('frameGoesOnAltstack');
        const frame: SignalFrame = {
          size,
          onAltstack,
          entersAltstack: holds('entersAltstack'),
          savedAltstack: context.altstack,
          savedConfig: holds('tileConfigLoaded'),
          savedTiles,
        };
        enqueue.assign({ frames: [...context.frames, frame] });
        enqueue.emit({ type: 'outcome', outcome: { result: 'ok', frameHasTiles: savedTiles === 'live', stack: onAltstack ? 'altstack' : 'thread' } });
        enqueue.raise({ type: 'tiles.configCleared' });
        enqueue.raise({ type: 'tiles.dataInit' });
      }),
      disarmAltstack: registers('altstack.disarmed'),
      // rt_sigreturn -> restore_altstack(&frame->uc.uc_stack), after the registers came back from the frame.
      restoreAltstackFromFrame: inspecting(({ enqueue, context }) => {
        const frame = context.frames.at(-1);
        if (frame) enqueue.raise({ type: 'altstack.restored', altstack: frame.savedAltstack });
      }),
      recordAltstack: assign({
        altstack: ({ event, context }) =>
          event.type === 'SIGALTSTACK'
            ? { bytes: requestedBytes(event, p) ?? 0, autodisarm: event.flags === 'autodisarm', ssDisable: event.size === 'disable' }
            : event.type === 'altstack.restored'
              ? event.altstack
              : context.altstack,
      }),
      resetAltstack: assign({ altstack: () => RESET_ALTSTACK }),
      // setup_new_exec() clears sas_ss_sp and sas_ss_size but keeps sas_ss_flags (probed on 6.18: an
      // SS_AUTODISARM altstack's exec reads back SS_DISABLE|SS_AUTODISARM).
      clearAltstackAtExec: assign({ altstack: ({ context }) => ({ ...context.altstack, bytes: 0 }) }),
      reportAltstack: inspecting(({ enqueue, context, holds }) =>
        enqueue.emit({ type: 'outcome', outcome: { result: 'ok', ss_size: context.altstack.bytes, ss_flags: ssFlags(context.altstack, holds('onSigStack')) } }),
      ),
      popSignalFrame: assign({ frames: ({ context }) => context.frames.slice(0, -1) }),
      restoreTileConfigFromFrame: inspecting(({ enqueue, context }) =>
        enqueue.raise({ type: context.frames.at(-1)?.savedConfig ? 'tiles.configLoaded' : 'tiles.configCleared' }),
      ),
      restoreTileDataFromFrame: inspecting(({ enqueue, context }) => {
        const saved = context.frames.at(-1)?.savedTiles;
        enqueue.raise({ type: saved === 'live' ? 'tiles.dataLoaded' : saved === 'lost' ? 'tiles.dataLost' : 'tiles.dataInit' });
      }),
      forgetFrames: assign({ frames: () => [] }),
      // de_thread(): the exec'ing thread takes the leader's place.
      becomeGroupLeader: assign({ leader: () => true }),
    },
  }).createMachine({
    id: 'task',
    description: 'One Linux thread and its AMX state: XFD, fpstate buffer, tile registers, altstack, signal frames.',
    context: ({ input }) => ({ frames: input.frames, altstack: input.altstack, leader: input.leader }),
    initial: 'spawning',
    states: {
      spawning: {
        description: 'clone()/fork() creating the task; copy_process() -> fpu_clone().',
        meta: { source: 'kernel/fork.c:copy_process, arch/x86/kernel/fpu/core.c:fpu_clone' },
        always: [
          {
            guard: and(['cloneAllocatesBuffer', 'inheritsPermission', 'memoryExhaustedAtClone']),
            target: 'stillborn',
            actions: 'reportCloneFailure',
          },
          { target: 'alive' },
        ],
      },
      stillborn: {
        type: 'final',
        description: 'Clone failed before the task existed (only where clone allocates an AMX buffer).',
      },
      alive: {
        type: 'parallel',
        on: {
          PTRACE_GETREGSET: { actions: 'reportRegset', meta: { source: 'arch/x86/kernel/fpu/regset.c:xstateregs_get; E29, row 10c' } },
          // Exec resets the FPU: the default fpstate, XFD armed, no altstack (its flags stay), no frames. The large
          // buffer is not freed but orphaned (the exec leak, S2).
          EXEC: [
            {
              guard: 'largeBufferAllocated',
              target: '#task.alive',
              reenter: true,
              actions: ['dropLargeBufferAtExec', 'forgetFrames', 'clearAltstackAtExec', 'becomeGroupLeader'],
              meta: { source: 'fs/exec.c:begin_new_exec -> arch/x86/kernel/fpu/core.c:fpu_flush_thread; S2, row 9c' },
            },
            {
              target: '#task.alive',
              reenter: true,
              actions: ['forgetFrames', 'clearAltstackAtExec', 'becomeGroupLeader'],
              meta: { source: 'fs/exec.c:begin_new_exec -> arch/x86/kernel/fpu/core.c:fpu_flush_thread' },
            },
          ],
          // A leader whose threads run on becomes a zombie instead (lifecycle, below).
          EXIT: [
            {
              guard: and([not('leaderOutlivedByThreads'), 'largeBufferAllocated']),
              target: '#task.exited',
              actions: ['freeLargeBuffer', 'reportOk'],
              meta: { source: 'arch/x86/kernel/process.c:arch_release_task_struct -> arch/x86/kernel/fpu/xstate.c:fpstate_free; E19, row 9b' },
            },
            { guard: not('leaderOutlivedByThreads'), target: '#task.exited', actions: 'reportOk' },
          ],
          // The process died, or another thread's exec ran de_thread(); the buffer goes with the task.
          KILLED: [
            { guard: and([{ type: 'killedBy', params: { by: 'SIGILL' } as const }, 'largeBufferAllocated']), target: '#task.killed.bySigill', actions: 'freeLargeBuffer' },
            { guard: { type: 'killedBy', params: { by: 'SIGILL' } }, target: '#task.killed.bySigill' },
            { guard: and([{ type: 'killedBy', params: { by: 'SIGSEGV' } as const }, 'largeBufferAllocated']), target: '#task.killed.bySigsegv', actions: 'freeLargeBuffer' },
            { guard: { type: 'killedBy', params: { by: 'SIGSEGV' } }, target: '#task.killed.bySigsegv' },
            {
              guard: and([{ type: 'killedBy', params: { by: 'exec' } as const }, 'largeBufferAllocated']),
              target: '#task.killed.byExecInAnotherThread',
              actions: 'freeLargeBuffer',
              meta: { source: 'fs/exec.c:de_thread' },
            },
            { guard: { type: 'killedBy', params: { by: 'exec' } }, target: '#task.killed.byExecInAnotherThread', meta: { source: 'fs/exec.c:de_thread' } },
          ],
        },
        states: {
          lifecycle: {
            description: 'Whether the thread runs, or is a group leader that exited before its threads (a zombie).',
            initial: 'running',
            states: {
              running: {
                description: 'The thread runs and takes steps.',
                on: {
                  // A leader whose threads run on keeps its task_struct, its buffer and its altstack; its
                  // registers are dropped (exit_thread -> fpu__drop) and it runs no handler any more.
                  EXIT: {
                    guard: 'leaderOutlivedByThreads',
                    target: 'zombie',
                    actions: ['clearTileConfig', 'initTileData', 'forgetFrames', 'reportOk'],
                    meta: { source: 'kernel/exit.c:exit_notify (delay_group_leader: the leader is not reaped while threads run); E19' },
                  },
                },
              },
              zombie: {
                description: 'exit() done, task_struct kept: still on the thread list, with its buffer and altstack, until the group is gone.',
                meta: { source: 'kernel/exit.c:exit_notify, release_task; E19' },
                on: {
                  // The group's last thread is gone: release_task() -> arch_release_task_struct() frees the buffer.
                  RELEASED: [
                    {
                      guard: 'largeBufferAllocated',
                      target: '#task.exited',
                      actions: 'freeLargeBuffer',
                      meta: { source: 'kernel/exit.c:release_task -> arch/x86/kernel/process.c:arch_release_task_struct -> fpstate_free; E19' },
                    },
                    { target: '#task.exited', meta: { source: 'kernel/exit.c:release_task; E19' } },
                  ],
                },
              },
            },
          },
          buffer: {
            description: 'Which fpstate the task has, and so whether XFD[18] is armed for it.',
            initial: 'choosing',
            states: {
              choosing: {
                always: [
                  { guard: and(['cloneAllocatesBuffer', 'inheritsPermission']), target: 'allocated', actions: 'allocateLargeBuffer' },
                  { guard: 'inheritsPermission', target: 'permitted' },
                  { target: 'unpermitted' },
                ],
              },
              unpermitted: {
                description: 'Default buffer, XFD armed, the process holds no AMX permission.',
                meta: { source: 'arch/x86/kernel/fpu/core.c:fpstate_reset' },
                on: {
                  PERMISSION_GRANTED: [
                    { guard: 'permissionAllocatesBuffer', target: 'allocated', actions: 'allocateLargeBuffer' },
                    { target: 'permitted' },
                  ],
                  TOUCH: [
                    { guard: 'touchIsInvalidOpcode', actions: 'raiseInvalidOpcode' },
                    { guard: not('tileDataAccessTraps'), actions: ['loadTileData', 'reportOk'] },
                    { actions: 'raiseXfdSigill', meta: { source: 'arch/x86/kernel/traps.c:handle_xfd_event; E8, rows 2b, 2c' } },
                  ],
                  // A user XRSTOR with XSTATE_BV[18] set is a tile data access like any other.
                  XRSTOR: [
                    { guard: and(['xrstorSetsTileBits', not('tileBitsInXcr0')]), actions: 'raiseGeneralProtection', meta: { source: 'Intel SDM, XRSTOR: #GP for XSTATE_BV bits outside XCR0; N20' } },
                    { guard: and(['xrstorLoadsTileData', not('tileDataAccessTraps')]), actions: ['loadTileConfig', 'loadTileData', 'reportOk'] },
                    { guard: 'xrstorLoadsTileData', actions: 'raiseXfdSigill', meta: { source: 'arch/x86/kernel/traps.c:handle_xfd_event; row 13b' } },
                    { guard: 'xrstorLoadsTileConfig', actions: ['loadTileConfig', 'initTileData', 'reportOk'] },
                    { actions: ['clearTileConfig', 'initTileData', 'reportOk'] },
                  ],
                  ...preallocWhenUnpermitted,
                },
              },
              permitted: {
                description: 'Default buffer, XFD armed; the process may use AMX, the next tile data access expands.',
                meta: { source: 'arch/x86/kernel/fpu/xstate.c:__xstate_request_perm' },
                on: {
                  TOUCH: [
                    { guard: 'touchIsInvalidOpcode', actions: 'raiseInvalidOpcode' },
                    { guard: not('tileDataAccessTraps'), actions: ['loadTileData', 'reportOk'] },
                    { guard: 'memoryExhausted', actions: 'raiseAllocationFailureSigsegv', meta: { source: 'arch/x86/kernel/traps.c:handle_xfd_event -> arch/x86/kernel/fpu/xstate.c:fpstate_realloc; E10' } },
                    {
                      target: 'allocated',
                      actions: ['allocateLargeBuffer', 'loadTileData', 'reportOk'],
                      meta: { source: 'arch/x86/kernel/traps.c:handle_xfd_event -> arch/x86/kernel/fpu/xstate.c:fpstate_realloc; E9' },
                    },
                  ],
                  // The XFD #NM of an XRSTOR expands the buffer silently; the XRSTOR then loads config and data.
                  XRSTOR: [
                    { guard: and(['xrstorSetsTileBits', not('tileBitsInXcr0')]), actions: 'raiseGeneralProtection', meta: { source: 'Intel SDM, XRSTOR: #GP for XSTATE_BV bits outside XCR0; N20' } },
                    { guard: and(['xrstorLoadsTileData', not('tileDataAccessTraps')]), actions: ['loadTileConfig', 'loadTileData', 'reportOk'] },
                    { guard: and(['xrstorLoadsTileData', 'memoryExhausted']), actions: 'raiseAllocationFailureSigsegv', meta: { source: 'arch/x86/kernel/traps.c:handle_xfd_event; E10' } },
                    {
                      guard: 'xrstorLoadsTileData',
                      target: 'allocated',
                      actions: ['allocateLargeBuffer', 'loadTileConfig', 'loadTileData', 'reportOk'],
                      meta: { source: 'arch/x86/kernel/traps.c:handle_xfd_event; row 13b' },
                    },
                    { guard: 'xrstorLoadsTileConfig', actions: ['loadTileConfig', 'initTileData', 'reportOk'] },
                    { actions: ['clearTileConfig', 'initTileData', 'reportOk'] },
                  ],
                  ...preallocWhenPermitted,
                },
              },
              allocated: {
                description: 'Large vmalloc buffer with room for XTILEDATA, XFD disarmed: tile instructions run natively.',
                meta: { source: 'arch/x86/kernel/fpu/xstate.c:fpstate_realloc' },
                on: {
                  PERMISSION_GRANTED: {},
                  TOUCH: [
                    { guard: 'touchIsInvalidOpcode', actions: 'raiseInvalidOpcode' },
                    { actions: ['loadTileData', 'reportOk'] },
                  ],
                  XRSTOR: [
                    { guard: 'xrstorLoadsTileData', actions: ['loadTileConfig', 'loadTileData', 'reportOk'] },
                    { guard: 'xrstorLoadsTileConfig', actions: ['loadTileConfig', 'initTileData', 'reportOk'] },
                    { actions: ['clearTileConfig', 'initTileData', 'reportOk'] },
                  ],
                  ...preallocWhenAllocated,
                },
              },
            },
          },
          tileConfig: {
            description: 'XTILECFG (component 17): not XFD-gated, in every buffer, copied by clone and fork.',
            initial: 'choosing',
            states: {
              choosing: { always: [{ guard: 'inheritsTileConfig', target: 'configured' }, { target: 'unconfigured' }] },
              unconfigured: {},
              configured: {},
            },
            on: {
              LDTILECFG: [
                { guard: not('tileInstructionsExist'), actions: 'raiseInvalidOpcode', meta: { source: 'Intel SDM, LDTILECFG: #UD without AMX-TILE; N12, N13' } },
                { guard: 'paletteIsValid', actions: ['loadTileConfig', 'initTileData', 'reportOk'] },
                { guard: 'paletteIsZero', actions: ['clearTileConfig', 'initTileData', 'reportOk'] },
                { actions: 'raiseGeneralProtection', meta: { source: 'Intel SDM, LDTILECFG: #GP for a reserved palette; row 2i' } },
              ],
              TILERELEASE: [
                { guard: not('tileInstructionsExist'), actions: 'raiseInvalidOpcode' },
                { actions: ['clearTileConfig', 'initTileData', 'reportOk'] },
              ],
              'tiles.configLoaded': { target: '.configured' },
              'tiles.configCleared': { target: '.unconfigured' },
            },
          },
          tileData: {
            description: "The tile registers: INIT, holding the program's data, or having lost it without the program asking.",
            initial: 'init',
            states: {
              init: {},
              live: {},
              lost: {},
            },
            on: {
              'tiles.dataLoaded': { target: '.live' },
              'tiles.dataInit': { target: '.init' },
              'tiles.dataLost': { target: '.lost' },
              CHECK_TILES: { actions: 'reportOk' },
              CONTEXT_SWITCH: [
                { guard: 'tileDataOutgrowsBuffer', actions: ['loseTileData', 'reportOk'], meta: { source: 'switch_fpu() -> arch/x86/kernel/fpu/core.c:save_fpregs_to_fpstate' } },
                { actions: 'reportOk' },
              ],
            },
          },
          altstack: {
            description: 'The sigaltstack: none (SS_DISABLE, or disarmed by SS_AUTODISARM while a handler runs) or installed; its bytes and its SS_AUTODISARM and SS_DISABLE flags are in context.',
            meta: { source: 'kernel/signal.c:do_sigaltstack, arch/x86/kernel/signal.c:sigaltstack_size_valid' },
            initial: 'choosing',
            states: {
              choosing: {
                always: [{ guard: 'inheritsAltstack', target: 'installed' }, { target: 'none' }],
              },
              none: {},
              installed: {
                description: `compared in bytes with MINSIGSTKSZ (${p.legacyMinSigStackSize}) and, once AMX is permitted, the AMX threshold (more than ${sigaltstackRefusalLimitWhenPermitted(p)})`,
              },
            },
            on: {
              SIGALTSTACK: [
                { guard: 'onSigStack', actions: 'reportEperm', meta: { source: 'kernel/signal.c:do_sigaltstack (on_sig_stack: EPERM); altstack-probe' } },
                { guard: 'requestedDisable', target: '.none', actions: ['recordAltstack', 'reportOk'] },
                { guard: not('altstackAtLeastMinimum'), actions: 'reportEnomem', meta: { source: 'kernel/signal.c:do_sigaltstack (ss_size < MINSIGSTKSZ: ENOMEM); row 5e' } },
                { guard: 'altstackSizeValid', target: '.installed', actions: ['recordAltstack', 'reportOk'] },
                { actions: 'reportEnomem', meta: { source: 'arch/x86/kernel/signal.c:sigaltstack_size_valid; row 5f' } },
              ],
              SIGALTSTACK_QUERY: { actions: 'reportAltstack', meta: { source: 'kernel/signal.c:do_sigaltstack (oss); altstack-probe' } },
              'altstack.disarmed': { target: '.none', actions: 'resetAltstack', meta: { source: 'kernel/signal.c:__save_altstack -> sas_ss_reset (SS_AUTODISARM); altstack-probe' } },
              // do_sigaltstack() with the frame's uc_stack; restore_altstack() ignores its errors, so an
              // altstack no longer valid (AMX permitted since) is not put back and the current one stays.
              // Its EPERM (the task still on the installed altstack) leaves the altstack the frame saved.
              'altstack.restored': [
                { guard: 'requestedDisable', target: '.none', actions: 'recordAltstack', meta: { source: 'kernel/signal.c:restore_altstack; altstack-probe' } },
                { guard: and(['altstackAtLeastMinimum', 'altstackSizeValid']), target: '.installed', actions: 'recordAltstack', meta: { source: 'kernel/signal.c:restore_altstack; altstack-probe' } },
                { actions: [], meta: { source: 'kernel/signal.c:restore_altstack (errors ignored); semantics E28' } },
              ],
            },
          },
          signal: {
            description: 'Whether the task runs a signal handler, and on which stack; the frames are in context.',
            initial: 'choosing',
            states: {
              // A child forked inside a handler is inside it too, on the same stack.
              choosing: {
                meta: { source: 'kernel/fork.c:copy_process (the child is a copy of the thread, its signal frames included)' },
                always: [
                  { guard: 'inheritsHandlerOnAltstack', target: 'handling.onAltstack' },
                  { guard: 'inheritsHandlerFrames', target: 'handling.onThreadStack' },
                  { target: 'running' },
                ],
              },
              running: {},
              handling: {
                initial: 'onThreadStack',
                states: {
                  onThreadStack: {},
                  onAltstack: {},
                  returning: {
                    always: [
                      { guard: 'noFramesLeft', target: '#task.alive.signal.running' },
                      { guard: 'innermostFrameOnAltstack', target: 'onAltstack' },
                      { target: 'onThreadStack' },
                    ],
                  },
                },
                on: {
                  // A leader that exits inside a handler leaves it as a zombie (lifecycle).
                  EXIT: { guard: 'leaderOutlivedByThreads', target: '#task.alive.signal.running', meta: { source: 'kernel/exit.c:do_exit; E19' } },
                  // What comes back depends on the frame, the handler's edits and the buffer.
                  SIGRETURN: [
                    // A default-size frame read by a task that expanded inside the handler is a valid
                    // frame (MAGIC2 sits at the frame's own xstate_size), but its xfeatures lack tile
                    // data: the config comes back as the frame saved it, the tile data INIT. Semantics
                    // E26 predicted an FX-only restore; an AMX machine kept the config (findings.md).
                    {
                      guard: and(['largeBufferAllocated', 'innermostFrameIsDefaultSize']),
                      target: '.returning',
                      actions: ['restoreTileConfigFromFrame', 'initTileData', 'restoreAltstackFromFrame', 'popSignalFrame', 'reportOk'],
                      meta: { source: 'arch/x86/kernel/fpu/signal.c:check_xstate_in_sigframe, restore_fpregs_from_user (init_bv); row 6i; selftest run 2026-12-04' },
                    },
                    // A frame whose xstate_size exceeds the task's user_size (an AMX frame inherited by a
                    // fork child, whose buffer is the default one) is restored FX-only: the tile config
                    // and data come back INIT.
                    {
                      guard: and([not('largeBufferAllocated'), 'innermostFrameIsLarge']),
                      target: '.returning',
                      actions: ['clearTileConfig', 'initTileData', 'restoreAltstackFromFrame', 'popSignalFrame', 'reportOk'],
                      meta: { source: 'arch/x86/kernel/fpu/signal.c:check_xstate_in_sigframe; row 7e' },
                    },
                    // XRSTOR of the frame faults (#GP) when bytes 8-23 of its XSAVE header are not zero:
                    // a bad frame, SIGSEGV (the xstate selftest's corrupt-header case; docs/findings.md).
                    {
                      guard: 'handlerCorruptsXsaveHeader',
                      target: '.returning',
                      actions: ['clearTileConfig', 'initTileData', 'popSignalFrame', 'raiseBadFrameSigsegv'],
                      meta: { source: 'arch/x86/kernel/fpu/signal.c:fpu__restore_sig -> arch/x86/kernel/signal.c:signal_fault' },
                    },
                    { guard: 'handlerClearsTileBits', target: '.returning', actions: ['clearTileConfig', 'initTileData', 'restoreAltstackFromFrame', 'popSignalFrame', 'reportOk'], meta: { source: 'E25, row 7c' } },
                    // Forged tile bits outside XCR0: a bad frame. The registers were restored, the FPU
                    // state is reset (fpu__clear_user_states) and SIGSEGV is forced.
                    {
                      guard: and(['handlerForgesTileBits', not('tileBitsInXcr0')]),
                      target: '.returning',
                      actions: ['clearTileConfig', 'initTileData', 'popSignalFrame', 'raiseBadFrameSigsegv'],
                      meta: { source: 'arch/x86/kernel/fpu/xstate.c:validate_user_xstate_header; N20' },
                    },
                    // xfeatures & user_xfeatures: bit 18 only counts for an expanded task.
                    {
                      guard: and(['handlerForgesTileBits', 'largeBufferAllocated']),
                      target: '.returning',
                      actions: ['loadTileConfig', 'loadTileData', 'restoreAltstackFromFrame', 'popSignalFrame', 'reportOk'],
                      meta: { source: 'arch/x86/kernel/fpu/signal.c:restore_fpregs_from_user; row 6f' },
                    },
                    {
                      guard: 'handlerForgesTileBits',
                      target: '.returning',
                      actions: ['loadTileConfig', 'initTileData', 'restoreAltstackFromFrame', 'popSignalFrame', 'reportOk'],
                      meta: { source: 'arch/x86/kernel/fpu/signal.c:restore_fpregs_from_user; rows 7a, 7b' },
                    },
                    { target: '.returning', actions: ['restoreTileConfigFromFrame', 'restoreTileDataFromFrame', 'restoreAltstackFromFrame', 'popSignalFrame', 'reportOk'], meta: { source: 'arch/x86/kernel/fpu/signal.c:fpu__restore_sig; E24, row 6e' } },
                  ],
                },
              },
            },
            on: {
              // An altstack frame that does not fit above the altstack's base is an overflow, one
              // transition per frame size (the frame is large in a large buffer).
              SIGNAL: [
                {
                  guard: and(['frameGoesOnAltstack', not('largeBufferAllocated'), { type: 'frameOverflowsAltstack', params: { frame: 'default' } as const }]),
                  actions: 'killByAltstackOverflow',
                  meta: { source: 'arch/x86/kernel/signal.c:get_sigframe; E23, row 6h; altstack-probe' },
                },
                {
                  guard: and(['frameGoesOnAltstack', 'largeBufferAllocated', { type: 'frameOverflowsAltstack', params: { frame: 'large' } as const }]),
                  actions: 'killByAltstackOverflow',
                  meta: { source: 'arch/x86/kernel/signal.c:get_sigframe; E23, row 6h; altstack-probe' },
                },
                // SS_AUTODISARM: __save_altstack() writes the altstack into the frame's uc_stack, then resets it.
                {
                  guard: and(['frameGoesOnAltstack', 'altstackAutodisarms']),
                  target: '.handling.onAltstack',
                  actions: ['pushSignalFrame', 'disarmAltstack'],
                  meta: { source: 'arch/x86/kernel/fpu/signal.c:copy_fpstate_to_sigframe, kernel/signal.c:__save_altstack; altstack-probe' },
                },
                { guard: 'frameGoesOnAltstack', target: '.handling.onAltstack', actions: 'pushSignalFrame', meta: { source: 'arch/x86/kernel/fpu/signal.c:copy_fpstate_to_sigframe; E22, rows 6a-6d' } },
                {
                  guard: 'altstackAutodisarms',
                  target: '.handling.onThreadStack',
                  actions: ['pushSignalFrame', 'disarmAltstack'],
                  meta: { source: 'arch/x86/kernel/fpu/signal.c:copy_fpstate_to_sigframe, kernel/signal.c:__save_altstack' },
                },
                { target: '.handling.onThreadStack', actions: 'pushSignalFrame', meta: { source: 'arch/x86/kernel/fpu/signal.c:copy_fpstate_to_sigframe; E22, rows 6a-6d' } },
              ],
            },
          },
        },
      },
      exited: { type: 'final', description: 'The thread called exit; its buffer is freed at task release.' },
      killed: {
        description: 'The whole process died of a signal, or another thread exec()ed (de_thread).',
        initial: 'bySigill',
        states: {
          bySigill: { type: 'final' },
          bySigsegv: { type: 'final' },
          byExecInAnotherThread: { type: 'final' },
        },
      },
    },
  });
}

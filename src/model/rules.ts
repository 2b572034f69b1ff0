// The kernel rules of the composition: how a step of one thread reaches its process, the other
// threads, other processes and the environment. One named unit per rule, with its kernel source and
// the edges it adds to the composition picture (src/diagram/system.ts and docs/model.md are drawn
// from these). Every route of the op table (machines/kernel-events.ts) has its unit here, or the
// compiler says which is missing; the charts decide everything local to one thread or one process.

import { opSpec, type OpSpec, type OpsRoutedTo, type Route } from '../../machines/kernel-events.js';
import { permissionRequestAltstackMinimum } from '../../machines/platform.js';
import type { ProcessEvent, ProcessInput } from '../../machines/process-types.js';
import type { SigreturnTileBits, TaskEvent, TaskInput, TaskOutcome } from '../../machines/task-types.js';
import { describeValue } from '../scenario/describe.js';
import type { Step } from '../scenario/format.js';
import type { ChartStep } from './chart.js';
import type { RuleResult } from './observation.js';
import { altstackOf, faultHandler, framesOf, hasLargeBuffer, hostPermitted, instructionOf, isAlive, isGroupLeader, onThreadList, type Instruction, processValue, sigillHandler, sigsegvHandler, taskValue, type TaskSlot, type TaskSnapshot } from './state.js';
import { EXEC, FAULT_SIGNAL, HANDLER_RETURNS, KILLED_BY, PERMISSION_GRANTED } from './chart-events.js';
import { someOtherTask, type ProcessQuestion, type World } from './world.js';
import type { SystemModel } from './system.js';

/** The boxes of the composition picture. */
export type SystemNode = 'step' | 'process' | 'thread' | 'others' | 'newThread' | 'childProcess' | 'childThread' | 'memory';

/** An edge a rule adds to the composition picture: where its effect goes, and which chart events it sends. */
export interface CompositionEdge {
  readonly from: SystemNode;
  readonly to: readonly SystemNode[];
  readonly text: string;
  /** Chart events the rule sends (the tests check them against the charts). */
  readonly sends: readonly { readonly chart: 'task' | 'process'; readonly event: string }[];
  /** The rule sends the event named like the step's op to this chart. */
  readonly sendsOpEvent?: 'task' | 'process';
}

/** A kernel rule that other rules use: named so that pictures and docs can show it. */
/** A kernel rule that several routes apply; its name is its key in SHARED_RULES. */
export interface SharedRule {
  /** The ops it applies to, when that is not "the ops of the routes that use it". */
  readonly appliesTo?: (op: OpSpec) => boolean;
  readonly source: string;
  readonly summary: string;
  readonly edges: readonly CompositionEdge[];
}

/** A route's rule: what a step of its ops does; its route is its key in ROUTE_RULES. A string result is a scenario error. */
export interface RouteRule {
  readonly source: string;
  readonly summary: string;
  readonly edges: readonly CompositionEdge[];
  /** Shared rules it applies, for the picture and the docs. */
  readonly uses: readonly SharedRuleName[];
  apply(w: World, step: Step, ti: number): RuleResult | string;
}

export type SharedRuleName = 'everyThreadAltstackCheck' | 'permissionReachesEveryThread' | 'faultMeetsDisposition' | 'fatalSignalKillsProcess' | 'vforkParentResumes' | 'memoryIsRead';

const NO_OUTCOME = 'no outcome';

// --- The shared rules -------------------------------------------------------------------------------

/** An altstack installed below the AMX frame size (sas_ss_size 0: none, or one SS_AUTODISARM disarmed in a handler). */
function altstackTooSmall(model: SystemModel, t: TaskSlot): boolean {
  const bytes = altstackOf(t).bytes;
  return bytes > 0 && bytes < permissionRequestAltstackMinimum(model.platform);
}

/** validate_sigaltstack() over the other threads: for_each_thread() walks the thread list, so a zombie leader's altstack counts too (E19). */
const ANOTHER_THREAD_HAS_A_SMALL_ALTSTACK: ProcessQuestion = {
  name: 'another thread on the thread list has an altstack too small for an AMX frame',
  holds: (model, process, ti) => someOtherTask(process, ti, (t) => onThreadList(t) && altstackTooSmall(model, t)),
};

/** Another thread of the process runs (it has not exited or died). */
const ANOTHER_THREAD_RUNS: ProcessQuestion = {
  name: 'another thread of the process runs',
  holds: (_model, process, ti) => someOtherTask(process, ti, isAlive),
};

/** validate_sigaltstack(): any installed altstack below the AMX frame size, the caller's or another thread's, refuses the request. */
function smallAltstackInProcess(w: World, ti: number): boolean {
  return altstackTooSmall(w.model, w.task(ti)) || w.ask(ANOTHER_THREAD_HAS_A_SMALL_ALTSTACK);
}

/** __xstate_request_perm(): the group's permission, checked against every thread's altstack, reaches every thread. */
function requestPermission(w: World, ti: number, feature: number): TaskOutcome | undefined {
  const r = w.sendProcess({ type: 'REQ_PERM', feature, smallAltstackInProcess: smallAltstackInProcess(w, ti), memory: w.memory });
  if (r.granted) for (const i of w.liveTaskIndexes()) w.sendTask(i, PERMISSION_GRANTED[w.memory]);
  return r.outcome;
}

/** The fatal signal ends the process; a vfork parent waiting for it runs again. */
function killProcess(w: World, by: 'SIGILL' | 'SIGSEGV'): void {
  w.killProcess(by);
  w.resumeVforkParent();
}

/**
 * A fault signal meets the process's disposition: death, a skipping handler, or a handler that asks
 * for permission and returns to the faulting instruction (`retry`), which then runs again.
 */
function faultMeetsDisposition(w: World, ti: number, r: TaskOutcome | undefined, retry?: { readonly event: TaskEvent; readonly instruction: Instruction }): RuleResult | string {
  if (!r) return NO_OUTCOME;
  if (!r.fault) return r;
  const signal = r.result as 'SIGILL' | 'SIGSEGV';
  const handler = faultHandler(w.processSnapshot, signal);
  // Literals, not spreads of a common base: a fault runs on many transitions the explorer takes.
  const si_code = r.si_code;
  if (handler === 'default' || handler === 'ignore') {
    // force_sig_fault(): a forced signal with the default action kills the whole process; an ignored
    // one is reset to the default action first (force_sig_info_to_task; row 2g).
    killProcess(w, signal);
    return { result: signal, si_code, fatal: true };
  }
  const delivered = w.sendTask(ti, FAULT_SIGNAL);
  if (delivered?.fatal) {
    // The handler's frame did not fit: force_sigsegv() kills the process (row 6h), whatever the
    // SIGSEGV disposition. A fault handler's frame (onstack: false) overflows only where the task runs
    // on its altstack already; get_sigframe() puts a SIGSEGV handler's frame, of the same size, there
    // too, and force_sigsegv() of SIGSEGV itself resets the handler to SIG_DFL. (deliverSignal differs:
    // an SA_ONSTACK frame entering the altstack from the thread stack leaves room there for SIGSEGV's.)
    killProcess(w, 'SIGSEGV');
    return { result: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: true };
  }
  if (handler === 'request-permission') requestPermission(w, ti, 18);
  w.sendTask(ti, HANDLER_RETURNS);
  if (handler !== 'request-permission' || retry === undefined) return { result: signal, si_code, fatal: false, handler };
  // The handler returns to the faulting instruction, which runs again: it succeeds once the request
  // was granted (row 2e). If it raises SIGILL again, nothing has changed for the next round either
  // (the same refusal, the same #UD), so the thread refaults forever (rows 2d; no-amx N14, N15).
  const again = w.sendTask(ti, retry.event);
  if (!again?.fault) return { result: signal, si_code, fatal: false, handler };
  if (again.result === 'SIGILL') {
    w.markStuck(ti, retry.instruction);
    return { result: signal, si_code, fatal: false, handler, hang: true };
  }
  // Any other fault on the retried instruction (SIGSEGV: no memory for the buffer) is reported as
  // itself, with its own disposition.
  return faultMeetsDisposition(w, ti, again);
}

export const SHARED_RULES: { readonly [N in SharedRuleName]: SharedRule } = {
  everyThreadAltstackCheck: {
    source: 'arch/x86/kernel/fpu/xstate.c:__xstate_request_perm -> validate_sigaltstack',
    summary: 'A permission request is refused (ENOSPC) while any thread on the process\'s thread list (a zombie leader too) has an altstack too small for an AMX frame.',
    edges: [{ from: 'step', to: ['process'], text: 'REQ_PERM {feature, smallAltstackInProcess, memory}', sends: [{ chart: 'process', event: 'REQ_PERM' }] }],
  },
  permissionReachesEveryThread: {
    source: 'arch/x86/include/asm/fpu/xstate.h:xstate_get_group_perm',
    summary: "Permission lives in the group leader: once granted, every live thread of the process has it.",
    edges: [
      { from: 'process', to: ['thread', 'others'], text: 'granted: PERMISSION_GRANTED {memory} to every live thread', sends: [{ chart: 'task', event: 'PERMISSION_GRANTED' }] },
    ],
  },
  fatalSignalKillsProcess: {
    source: 'kernel/signal.c:force_sig_fault, force_sigsegv -> do_group_exit',
    summary: 'A fault with the default disposition, or a frame that does not fit the altstack, kills every thread of the process (a zombie leader is released).',
    edges: [
      { from: 'thread', to: ['process'], text: 'a fault (SIGILL, SIGSEGV) or a fatal frame overflow meets the disposition', sends: [] },
      {
        from: 'process',
        to: ['thread', 'others'],
        text: 'default disposition: KILLED {by: SIGILL | SIGSEGV} to every running thread, RELEASED to a zombie leader',
        sends: [{ chart: 'task', event: 'KILLED' }, { chart: 'task', event: 'RELEASED' }],
      },
    ],
  },
  faultMeetsDisposition: {
    source: 'arch/x86/kernel/traps.c:handle_xfd_event, kernel/signal.c:force_sig_fault',
    summary:
      'A fault runs the process\'s handler: SIGNAL, then SIGRETURN; a request-permission handler asks for permission and returns to the instruction, which runs again; SIGILL again is an endless refault.',
    edges: [
      {
        from: 'process',
        to: ['thread'],
        text: 'a handler: SIGNAL, then SIGRETURN; request-permission asks REQ_PERM (a grant reaches every thread), then runs the instruction again; SIGILL again: an endless refault, the thread is stuck',
        sends: [
          { chart: 'task', event: 'SIGNAL' },
          { chart: 'task', event: 'SIGRETURN' },
          { chart: 'process', event: 'REQ_PERM' },
          { chart: 'task', event: 'PERMISSION_GRANTED' },
          { chart: 'task', event: 'TOUCH' },
          { chart: 'task', event: 'XRSTOR' },
          { chart: 'task', event: 'LDTILECFG' },
          { chart: 'task', event: 'TILERELEASE' },
        ],
      },
    ],
  },
  vforkParentResumes: {
    source: 'kernel/fork.c:mm_release -> complete_vfork_done',
    summary: 'A vfork parent runs again when its child execs or exits, or when the child process dies.',
    edges: [],
  },
  memoryIsRead: {
    appliesTo: (op) => op.readsMemory === true,
    source: 'arch/x86/kernel/fpu/xstate.c:fpstate_realloc (vzalloc)',
    summary: 'Ops that may allocate read the environment\'s memory into their event or the new chart\'s input.',
    edges: [{ from: 'memory', to: ['thread', 'process', 'newThread', 'childThread'], text: "read into the event or the new chart's input", sends: [] }],
  },
};

// --- The routes ---------------------------------------------------------------------------------------

/** The event of the op's name, with its fields and, for an op that reads memory, the memory. */
function sameNamedEvent<E>(w: World, step: Step): E {
  return w.model.stepEvents.of(step, opSpec(step.op)?.readsMemory === true ? w.memory : undefined) as E;
}

/** How a new task is made from the one that makes it (see inheritedInput). */
type Inheritance = 'clone' | 'fork' | 'vfork';

const INHERITANCE_NUMBER: { readonly [H in Inheritance]: number } = { clone: 0, fork: 1, vfork: 2 };

/**
 * What a new task copies from the one that makes it: clone a new thread (no handler, and no altstack:
 * copy_process() calls sas_ss_reset() for CLONE_VM without CLONE_VFORK, so its flags say SS_DISABLE),
 * fork the whole thread (its altstack and the handlers it is running), vfork the altstack only (the
 * model does not follow a vfork child through its parent's handler frames).
 */
function inheritedInput(w: World, parent: TaskSlot, how: Inheritance, permitted: boolean): TaskInput {
  const v = taskValue(parent.snapshot)!;
  return {
    permitted,
    altstack: how !== 'clone' ? altstackOf(parent) : w.model.newThreadAltstack,
    tileConfig: v.tileConfig === 'configured',
    memory: w.memory,
    frames: how === 'fork' ? framesOf(parent) : [],
    leader: how !== 'clone',
  };
}

/**
 * Starts the task chart of a task `parent` makes. Its input is a function of the parent's chart and
 * of `how`, `permitted` and the memory (the model's newThreadAltstack is fixed): the start is
 * memoised by those (Chart.startFrom).
 */
function startInherited(w: World, parent: TaskSlot, how: Inheritance, permitted: boolean, owner: 'thread' | 'other'): ChartStep<TaskSnapshot> {
  const choice = INHERITANCE_NUMBER[how] * 4 + (permitted ? 2 : 0) + (w.memory === 'available' ? 0 : 1);
  return w.startTask(parent, choice, () => inheritedInput(w, parent, how, permitted), owner);
}

function nameInUse(child: string): string {
  return `field "child": task name ${describeValue(child)} is already used`;
}

export const ROUTE_RULES: { readonly [R in Route]: RouteRule } = {
  processEvent: {
    source: 'arch/x86/kernel/fpu/xstate.c:fpu_xstate_prctl; arch/x86/kvm/x86.c:kvm_arch_vcpu_create',
    summary: 'Sent to the caller\'s process chart as the event of the same name.',
    edges: [{ from: 'step', to: ['process'], text: 'the event of the same name', sends: [], sendsOpEvent: 'process' }],
    uses: [],
    apply: (w, step) => w.sendProcess(sameNamedEvent<ProcessEvent>(w, step)).outcome ?? NO_OUTCOME,
  },
  taskEvent: {
    source: 'the task chart (machines/task.ts)',
    summary: 'Sent to the task as the event of the same name (with `memory` for an op that reads it).',
    edges: [{ from: 'step', to: ['thread'], text: 'the event of the same name', sends: [], sendsOpEvent: 'task' }],
    uses: [],
    apply: (w, step, ti) => w.sendTask(ti, sameNamedEvent<TaskEvent>(w, step)) ?? NO_OUTCOME,
  },
  instruction: {
    source: 'Intel SDM (#UD, #NM, #GP); arch/x86/kernel/traps.c:exc_device_not_available',
    summary: 'Sent to the task; a fault outcome meets the process\'s disposition, and a `request-permission` handler runs the same instruction again.',
    edges: [{ from: 'step', to: ['thread'], text: 'the event of the same name', sends: [], sendsOpEvent: 'task' }],
    uses: ['fatalSignalKillsProcess', 'faultMeetsDisposition'],
    apply: (w, step, ti) => {
      const event = sameNamedEvent<TaskEvent>(w, step);
      // A stuck task retrying its instruction: stuck again only if it refaults again (another thread
      // may have changed the SIGILL disposition meanwhile: the retry is then killed or skipped).
      if (w.task(ti).stuckOn !== null) w.unstick(ti);
      return faultMeetsDisposition(w, ti, w.sendTask(ti, event), { event, instruction: instructionOf(step) });
    },
  },
  requestPermission: {
    source: 'arch/x86/kernel/fpu/xstate.c:xstate_request_perm',
    summary: 'Computes `smallAltstackInProcess` over the threads on the caller\'s process\'s thread list, sends `REQ_PERM` to the process chart, and on `permissionGranted` sends `PERMISSION_GRANTED` to every live thread of it.',
    edges: [],
    uses: ['everyThreadAltstackCheck', 'permissionReachesEveryThread'],
    apply: (w, step, ti) => requestPermission(w, ti, step.fields['feature'] as number) ?? NO_OUTCOME,
  },
  setDisposition: {
    source: 'kernel/signal.c:do_sigaction',
    summary: 'Rejects `SIGSEGV` + `request-permission` as input error, else sent to the process chart.',
    edges: [{ from: 'step', to: ['process'], text: 'the event of the same name', sends: [], sendsOpEvent: 'process' }],
    uses: [],
    apply: (w, step) => {
      const signal = step.fields['signal'] as 'SIGILL' | 'SIGSEGV';
      const handler = step.fields['handler'] as string;
      if (signal === 'SIGSEGV' && handler === 'request-permission') return 'field "handler": a SIGSEGV handler cannot be request-permission';
      return w.sendProcess({ type: 'SET_DISPOSITION', signal, handler } as ProcessEvent).outcome ?? NO_OUTCOME;
    },
  },
  cloneThread: {
    source: 'kernel/fork.c:copy_process -> arch/x86/kernel/fpu/core.c:fpu_clone',
    summary: 'Starts a task chart in the caller\'s process with `{permitted: the process\'s host permission, altstack: none, tileConfig: the caller\'s, memory, frames: none}`. If the chart ends `stillborn`, its outcome (ENOMEM) is the step\'s and no thread is added.',
    edges: [{ from: 'step', to: ['newThread'], text: 'start a task chart {permitted, tileConfig, memory; no altstack}', sends: [] }],
    uses: [],
    apply: (w, step, ti) => {
      const child = step.fields['child'] as string;
      if (w.nameTaken(child)) return nameInUse(child);
      const r = startInherited(w, w.task(ti), 'clone', hostPermitted(w.processSnapshot), 'thread');
      if (r.outcome) return r.outcome;
      w.addThread(child, r.snapshot);
      return { result: 'ok' };
    },
  },
  forkProcess: {
    source: 'kernel/fork.c:copy_process -> fpu_clone, fpu_inherit_perms, copy_sighand',
    summary: 'Starts a process chart with the inherited permissions, lock and dispositions, and a task chart with `{permitted, altstack: the caller\'s, tileConfig: the caller\'s, memory, frames}` (`frames`: the caller\'s for `FORK`, none for `VFORK`). `VFORK` also marks the caller `suspended` and records it as the new process\'s `vforkParent`.',
    edges: [
      { from: 'step', to: ['childProcess'], text: 'start a process chart {host and guest permission, guest lock, dispositions}', sends: [] },
      {
        from: 'step',
        to: ['childThread'],
        text: 'start a task chart {permitted, tileConfig, memory, altstack}; VFORK suspends the parent until the child execs or exits',
        sends: [],
      },
    ],
    uses: [],
    apply: (w, step, ti) => {
      const child = step.fields['child'] as string;
      if (w.nameTaken(child)) return nameInUse(child);
      const parent = w.task(ti);
      // A child process copies the permissions, the guest's lock and the dispositions: its chart's input is a function of the parent's chart alone.
      const snapshot = w.processSnapshot;
      const inherited = (): ProcessInput => {
        const pv = processValue(snapshot);
        return {
          hostPermitted: hostPermitted(snapshot),
          guestPermitted: pv.guestPermission === 'permitted',
          guestLocked: pv.guestPermissionLock === 'locked',
          sigill: sigillHandler(snapshot),
          sigsegv: sigsegvHandler(snapshot),
        };
      };
      const vfork = step.op === 'VFORK';
      const t = startInherited(w, parent, vfork ? 'vfork' : 'fork', hostPermitted(snapshot), 'other');
      if (t.outcome) return t.outcome;
      const started = w.startProcess(inherited);
      w.addProcess(started.snapshot, { name: child, snapshot: t.snapshot }, vfork ? parent.name : null);
      if (vfork) w.suspend(ti);
      return { result: 'ok' };
    },
  },
  execve: {
    source: 'fs/exec.c:begin_new_exec -> de_thread, fpu_flush_thread, flush_signal_handlers; arch/x86/kernel/fpu/xstate.c:fpstate_reset',
    summary: '`fails: true`: `ENOENT`, nothing sent. Otherwise `KILLED {by: exec}` to every other running thread of the process and `RELEASED` to a zombie leader (`de_thread`), `EXEC` to the process chart (and `SET_DISPOSITION ignore` again for a signal it ignored: SIG_IGN survives exec), `EXEC` to the task, and the vfork parent (if any) is released.',
    edges: [
      { from: 'step', to: ['others'], text: 'KILLED {by: exec}; RELEASED to a zombie leader (de_thread)', sends: [{ chart: 'task', event: 'KILLED' }, { chart: 'task', event: 'RELEASED' }] },
      {
        from: 'step',
        to: ['process'],
        text: 'EXEC: back to defaults; SET_DISPOSITION ignore again where SIG_IGN was set',
        sends: [
          { chart: 'process', event: 'EXEC' },
          { chart: 'process', event: 'SET_DISPOSITION' },
        ],
      },
      { from: 'step', to: ['thread'], text: 'EXEC (fails: true is ENOENT and sends nothing)', sends: [{ chart: 'task', event: 'EXEC' }] },
    ],
    uses: ['vforkParentResumes'],
    apply: (w, step, ti) => {
      if (step.fields['fails'] === true) return { result: 'ENOENT' };
      // de_thread(): the other threads die, and a zombie leader is reaped, before the exec'ing thread becomes the leader.
      w.endThreadGroup(KILLED_BY.exec, true);
      const ignored = (['SIGILL', 'SIGSEGV'] as const).filter((signal) => faultHandler(w.processSnapshot, signal) === 'ignore');
      w.sendProcess({ type: 'EXEC' });
      // flush_signal_handlers(): exec resets every handler to the default action, but SIG_IGN stays.
      for (const signal of ignored) w.sendProcess({ type: 'SET_DISPOSITION', signal, handler: 'ignore' });
      w.sendTask(ti, EXEC);
      w.resumeVforkParent();
      return { result: 'ok' };
    },
  },
  exitThread: {
    source: 'kernel/exit.c:do_exit; arch/x86/kernel/fpu/core.c:fpstate_free',
    summary:
      '`EXIT {otherThreadsRun}` to the task (a leader whose threads run on stays a zombie); when the process has no running thread left, a zombie leader is released; when the leader exits, a vfork parent resumes.',
    edges: [
      { from: 'step', to: ['thread'], text: 'EXIT {otherThreadsRun}', sends: [{ chart: 'task', event: 'EXIT' }] },
      { from: 'step', to: ['others'], text: 'RELEASED to a zombie leader, after the last thread', sends: [{ chart: 'task', event: 'RELEASED' }] },
    ],
    uses: ['vforkParentResumes'],
    apply: (w, _step, ti) => {
      // A vfork child leads its new process; its exit (mm_release) wakes the parent even if threads it made run on.
      const leader = isGroupLeader(w.task(ti));
      const otherThreadsRun = w.ask(ANOTHER_THREAD_RUNS);
      const r = w.sendTask(ti, { type: 'EXIT', otherThreadsRun });
      // No thread of the process runs any more: the exit touched no other.
      if (!otherThreadsRun && !isAlive(w.task(ti))) w.releaseZombies();
      if (leader) w.resumeVforkParent();
      return r ?? NO_OUTCOME;
    },
  },
  deliverSignal: {
    source: 'arch/x86/kernel/signal.c:get_sigframe, setup_rt_frame -> force_sigsegv',
    summary:
      '`SIGNAL {onstack}` to the task; a frame that overflows the altstack drops the signal and forces SIGSEGV, which meets its disposition: death, or a handler on the thread stack.',
    edges: [{ from: 'step', to: ['thread'], text: 'the event of the same name', sends: [], sendsOpEvent: 'task' }],
    uses: ['fatalSignalKillsProcess', 'faultMeetsDisposition'],
    apply: (w, step, ti) => {
      const r = w.sendTask(ti, { type: 'SIGNAL', onstack: step.fields['onstack'] === true });
      // force_sigsegv() of a signal other than SIGSEGV is force_sig(SIGSEGV): a SIGSEGV handler runs,
      // on the thread stack unless the task runs on its altstack already (altstack probe).
      if (r?.fatal) return faultMeetsDisposition(w, ti, { result: 'SIGSEGV', si_code: 'SI_KERNEL', fault: true });
      return r ?? NO_OUTCOME;
    },
  },
  sigreturn: {
    source: 'arch/x86/kernel/signal_64.c:rt_sigreturn -> fpu__restore_sig; signal_fault -> force_sig(SIGSEGV)',
    summary: 'Sent to the task; no outcome means the task runs no handler, an input error; a bad frame\'s SIGSEGV (N20) meets the disposition.',
    edges: [{ from: 'step', to: ['thread'], text: 'the event of the same name', sends: [], sendsOpEvent: 'task' }],
    uses: ['fatalSignalKillsProcess', 'faultMeetsDisposition'],
    apply: (w, step, ti) => {
      const r = w.sendTask(ti, {
        type: 'SIGRETURN',
        tileBits: step.fields['tileBits'] as SigreturnTileBits,
        xsaveHeader: step.fields['xsaveHeader'] as 'intact' | 'corrupt',
      });
      return r ? faultMeetsDisposition(w, ti, r) : `field "op": task ${describeValue(w.task(ti).name)} is not running a signal handler`;
    },
  },
  ptraceSetRegset: {
    source: 'arch/x86/kernel/fpu/regset.c:xstateregs_set; xstate.c:validate_user_xstate_header',
    summary: '`length: short` → `EFAULT` (row 10h); on a platform without AMX any tile bit → `EINVAL` (bits 17 and 18 are not in XCR0); `tileBits: data` into a task without the large buffer → `EINVAL` (rows 10d, 10e). Otherwise the tracer\'s write is modelled as the tracee\'s own loads: `LDTILECFG {palette: 1}`, plus `TOUCH` for `data` (rows 10f, 10g).',
    edges: [
      {
        from: 'step',
        to: ['thread'],
        text: 'EFAULT or EINVAL decided here, else LDTILECFG {palette: 1} and TOUCH',
        sends: [
          { chart: 'task', event: 'LDTILECFG' },
          { chart: 'task', event: 'TOUCH' },
        ],
      },
    ],
    uses: [],
    apply: (w, step, ti) => {
      if (step.fields['length'] === 'short') return { result: 'EFAULT' };
      // XSTATE_BV bits outside XCR0 are EINVAL. Without AMX, XCR0 has neither bit 17 nor bit 18, so
      // any tile config or data is refused.
      if (!w.model.platform.amxUsable) return { result: 'EINVAL' };
      const tileBits = step.fields['tileBits'] as 'config' | 'data';
      if (tileBits === 'data' && !hasLargeBuffer(w.task(ti))) return { result: 'EINVAL' };
      // Modelled as the tracee's own register loads: the tracer writes the task's pattern or just a config.
      w.sendTask(ti, { type: 'LDTILECFG', palette: 1 });
      if (tileBits === 'data') w.sendTask(ti, { type: 'TOUCH', memory: w.memory });
      return { result: 'ok' };
    },
  },
  memoryPressure: {
    source: 'the environment: vzalloc() failing (mm/vmalloc.c)',
    summary: 'Sets `memory`; every later event that may allocate carries it.',
    edges: [{ from: 'step', to: ['memory'], text: 'memory exhausted, available', sends: [] }],
    uses: [],
    apply: (w, step) => {
      w.setMemory(step.op === 'OOM_BEGIN' ? 'exhausted' : 'available');
      return { result: 'ok' };
    },
  },
};

/**
 * The chart events named like ops that the same-named routes send must exist: checked by the compiler,
 * which names the op whose event a chart lacks ("Type '"OP"' does not satisfy the constraint 'never'").
 */
type NoneMissing<Ops extends never> = Ops;
export type TaskEventsExist = NoneMissing<Exclude<OpsRoutedTo<'taskEvent' | 'instruction'>, TaskEvent['type']>>;
export type ProcessEventsExist = NoneMissing<Exclude<OpsRoutedTo<'processEvent'>, ProcessEvent['type']>>;

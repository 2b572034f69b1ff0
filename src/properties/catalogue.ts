// The property catalogue: each property a named claim with its source and its check.
// `state` properties are invariants of the state a transition reaches; `step` properties judge the
// transition itself. One rule per property, so a counterexample names exactly the rule it broke.

import { OPS } from '../../machines/kernel-events.js';
import { altstackSizeBytes, permissionRequestAltstackMinimum, type AltstackSize } from '../../machines/platform.js';
import type { SystemState, TaskSlot, ProcessSlot } from '../model/state.js';
import { altstackOf, hasLargeBuffer, hostPermitted, isAlive, processValue, taskValue } from '../model/state.js';
import { canonicalKey } from '../explore/canonical.js';
import { judgedOn, type Property, type Transition } from '../explore/property.js';

/** Whether `test` holds for every live task of the state, with its process (no list is built: it runs on every transition). */
function everyLiveTask(s: SystemState, test: (p: ProcessSlot, t: TaskSlot) => boolean): boolean {
  for (const p of s.processes) for (const t of p.tasks) if (isAlive(t) && !test(p, t)) return false;
  return true;
}

function processOf(s: SystemState, task: string | undefined): ProcessSlot | undefined {
  for (const p of s.processes) for (const t of p.tasks) if (t.name === task) return p;
  return undefined;
}

function taskIn(s: SystemState, name: string | undefined): TaskSlot | undefined {
  for (const p of s.processes) for (const t of p.tasks) if (t.name === name) return t;
  return undefined;
}

const permitted = (p: ProcessSlot) => hostPermitted(p.snapshot);
const large = hasLargeBuffer;
const amxUsed = (p: ProcessSlot) => p.tasks.some((t) => isAlive(t) && (large(t) || taskValue(t.snapshot)?.tileData === 'live'));
/**
 * A TOUCH whose large buffer could not be allocated (E10): a SIGSEGV (SI_KERNEL) where an allocation
 * runs, in a permitted process, for a task without the buffer, with memory exhausted. The SIGSEGV the
 * kernel forces when a fault's frame overflows the altstack (row 6h) looks the same to the program,
 * but where the task had no permission to allocate (its SIGILL's frame), it is not one.
 */
export function isAllocationFailure(t: Transition): boolean {
  if (t.step.op !== 'TOUCH' || t.observation.outcome !== 'SIGSEGV' || t.observation.si_code !== 'SI_KERNEL' || t.before.memory !== 'exhausted') return false;
  const p = processOf(t.before, t.step.task);
  const task = taskIn(t.before, t.step.task);
  return p !== undefined && task !== undefined && permitted(p) && !large(task);
}
const key = (t: Transition, s: SystemState) => canonicalKey(t.model, s, 0);

const CREATING_OPS: readonly string[] = ['CLONE_THREAD', 'FORK', 'VFORK'];
/** The ops that load a saved state into the registers without a tile-data access. */
const RESTORING_OPS: readonly string[] = ['SIGRETURN', 'PTRACE_SETREGSET'];
/** The ops the op table marks as queries. */
const QUERY_OPS: readonly string[] = OPS.filter((o) => o.query === true).map((o) => o.op);
/** Large buffers held by tasks not yet released: running threads and zombie leaders (E19); a gone task holds none. */
function heldLargeBuffers(s: SystemState): number {
  let n = 0;
  for (const p of s.processes) for (const t of p.tasks) if (large(t)) n++;
  return n;
}

/** No task's obligation is open (LivenessProperty.open). */
const NOTHING_OPEN: readonly string[] = Object.freeze([]);

export const PROPERTIES: readonly Property[] = [
  // Well-formedness first (TLA+'s TypeOK): the counters the other properties compare are only worth
  // comparing if they agree with the threads. A state invariant in meaning, but judged as a step, on
  // every transition: the counters are not part of the state key, so a state judged once per key would
  // show only the first path's counters. Judged after every transition from every explored state, it
  // is an induction: it holds initially (all zero, no buffer), and no transition breaks it.
  {
    name: 'BuffersAreAccountedFor',
    claim: 'Every large buffer ever allocated has been freed or leaked, or belongs to a task not yet released (a running thread or a zombie leader): allocated = freed + leaked + held large buffers.',
    source: 'docs/model.md, Buffer accounting: the well-formedness of the model\'s own counters (SystemState.buffers)',
    kind: 'step',
    holds: ({ after }) => after.buffers.allocated === after.buffers.freed + after.buffers.leaked + heldLargeBuffers(after),
  },
  {
    name: 'PermissionIsProcessWide',
    claim: 'Every live thread of a process sees the same AMX permission, the leader\'s.',
    source: 'semantics invariant 1; arch/x86/include/asm/fpu/xstate.h:xstate_get_group_perm; observed 3b, 3c',
    kind: 'state',
    holds: ({ after }) => everyLiveTask(after, (p, t) => (taskValue(t.snapshot)?.buffer !== 'unpermitted') === permitted(p)),
  },
  {
    name: 'UnpermittedTouchIsSigill',
    claim: 'A tile-data access by a task whose process lacks permission ends in SIGILL, never in silent success.',
    source: 'semantics E8, invariant 8; arch/x86/kernel/traps.c:handle_xfd_event; observed 2b, 2c',
    kind: 'step',
    needs: [['TOUCH']],
    ...judgedOn(['TOUCH'], (t) => {
      const p = processOf(t.before, t.step.task);
      const task = taskIn(t.before, t.step.task);
      if (!p || !task || permitted(p) || large(task)) return true;
      return t.observation.outcome === 'SIGILL';
    }),
  },
  {
    name: 'ExpansionNeedsPermission',
    claim: 'No thread holds a large buffer while its process lacks AMX permission.',
    source: 'semantics invariant 7; arch/x86/kernel/fpu/xstate.c:__xfd_enable_feature',
    kind: 'state',
    holds: ({ after }) => everyLiveTask(after, (p, t) => !large(t) || permitted(p)),
  },
  {
    name: 'UnexpandedTasksHoldNoTileData',
    claim: 'A thread without a large buffer never holds live tile data.',
    source: 'semantics invariant 13; fpu/core.c:restore_fpregs_from_fpstate (XRSTOR initialises XTILEDATA)',
    kind: 'state',
    holds: ({ after }) => everyLiveTask(after, (_p, t) => taskValue(t.snapshot)?.tileData !== 'live' || large(t)),
  },
  {
    name: 'PreallocatedTaskNeverDiesOfEnomem',
    claim: 'An AMX access by a task that already holds a large buffer never fails for lack of memory.',
    source: 'semantics E11, invariant 10 (no trap after expansion)',
    kind: 'step',
    needs: [['OOM_BEGIN'], ['TOUCH', 'PREALLOC']],
    // Only these two can allocate.
    ...judgedOn(['TOUCH', 'PREALLOC'], (t) => {
      const task = taskIn(t.before, t.step.task);
      if (!task || !large(task)) return true;
      return t.observation.outcome !== 'ENOMEM' && !isAllocationFailure(t);
    }),
  },
  {
    name: 'AmxWorkIsNeverLostToEnomem',
    readsThreadsTogether: true,
    claim: 'A process in which any thread has done AMX work is never killed by an allocation failure.',
    source: 'Borislav Petkov, v9 review 2021-08-18 ("lose 24 hours worth of AMX computation"); semantics E10',
    kind: 'step',
    needs: [['OOM_BEGIN'], ['TOUCH']],
    ...judgedOn(['TOUCH'], (t) => {
      // The failure first, the process's threads after: few touches are failures.
      if (!isAllocationFailure(t) || t.observation.fatal !== true) return true;
      const p = processOf(t.before, t.step.task);
      return !(p && amxUsed(p));
    }),
  },
  {
    name: 'CloneNeverFailsForAmxBuffers',
    claim: 'Thread and process creation never fails because of an AMX buffer.',
    source: "Thiago Macieira's reply to Petkov, v9 thread (pre-allocation moves the failure to pthread_create)",
    kind: 'step',
    needs: [['OOM_BEGIN'], ['CLONE_THREAD', 'FORK', 'VFORK']],
    ...judgedOn(CREATING_OPS, (t) => t.observation.outcome !== 'ENOMEM'),
  },
  {
    name: 'NoLargeBufferWithoutAmxUse',
    claim: 'No thread that never used AMX holds a large buffer: only its own tile-data access allocates one.',
    source: "Len Brown's memory argument (May 2021); semantics invariant 6, 19",
    kind: 'step',
    // As named: an explicit pre-allocation by a thread that has not touched AMX yet breaks it too.
    holds: (t) => t.after.buffers.allocated <= t.before.buffers.allocated || t.step.op === 'TOUCH' || t.step.op === 'XRSTOR',
  },
  {
    name: 'TileDataIsNeverSilentlyLost',
    claim: 'Live tile data survives context switches, signal delivery and return.',
    source: 'semantics invariant 14, E20, E22; observed 6e, 8',
    kind: 'state',
    needs: [['TOUCH', 'PTRACE_SETREGSET'], ['CONTEXT_SWITCH', 'SIGNAL', 'SIGRETURN']],
    holds: ({ after }) => everyLiveTask(after, (_p, t) => taskValue(t.snapshot)?.tileData !== 'lost'),
  },
  {
    name: 'BuffersAreFreedOnExecAndExit',
    claim: 'Every large buffer is freed when its thread exits or execs.',
    source: 'semantics S2, E18, E19; observed 9c (the exec leak)',
    kind: 'step',
    needs: [['EXEC', 'EXIT']],
    holds: (t) => t.after.buffers.leaked === t.before.buffers.leaked,
  },
  {
    name: 'PermissionIsOneWay',
    claim: 'Within one exec image, permission is never withdrawn.',
    source: 'semantics invariant 2; xstate.c:__xstate_request_perm',
    kind: 'step',
    needs: [['REQ_PERM']],
    holds: (t) => {
      // A loop, not every() with a closure over t: judged on every transition, such closures were a
      // large share of what the search allocated.
      const before = t.before.processes;
      for (let i = 0; i < before.length; i++) {
        const p = before[i]!;
        const q = t.after.processes[i];
        if (!q || !permitted(p) || permitted(q) || !q.tasks.some(isAlive)) continue;
        const execedHere = t.step.op === 'EXEC' && t.observation.outcome === 'ok' && p.tasks.some((x) => x.name === t.step.task);
        if (!execedHere) return false;
      }
      return true;
    },
  },
  {
    name: 'FailedRequestChangesNothing',
    claim: 'A refused permission request changes no state.',
    source: 'semantics invariant 18; xstate.c:xstate_request_perm error paths',
    kind: 'step',
    needs: [['REQ_PERM', 'REQ_GUEST_PERM']],
    ...judgedOn(['REQ_PERM', 'REQ_GUEST_PERM'], (t) => t.observation.outcome === 'ok' || key(t, t.before) === key(t, t.after)),
  },
  {
    name: 'QueriesArePure',
    claim: `The queries of the op table (${QUERY_OPS.join(', ')}) change no state.`,
    source: 'semantics invariant 25',
    kind: 'step',
    needs: [QUERY_OPS],
    ...judgedOn(QUERY_OPS, (t) => key(t, t.before) === key(t, t.after)),
  },
  {
    name: 'SigreturnAndPtraceCannotExpand',
    claim: 'Neither sigreturn nor PTRACE_SETREGSET ever allocates a large buffer.',
    source: 'semantics invariants 22, 23; observed 7a, 7b, 10d, 10e',
    kind: 'step',
    needs: [['SIGRETURN', 'PTRACE_SETREGSET']],
    ...judgedOn(RESTORING_OPS, (t) => t.after.buffers.allocated === t.before.buffers.allocated),
  },
  {
    name: 'GuestPermissionLockIsOneWay',
    claim: 'Once the first vCPU locked guest permission, only exec unlocks it.',
    source: 'semantics invariant 20; observed 1j',
    kind: 'step',
    needs: [['VCPU_CREATE']],
    holds: (t) => {
      if (t.step.op === 'EXEC') return true;
      const before = t.before.processes;
      for (let i = 0; i < before.length; i++) {
        const q = t.after.processes[i];
        if (!q || processValue(before[i]!.snapshot).guestPermissionLock !== 'locked' || !q.tasks.some(isAlive)) continue;
        if (processValue(q.snapshot).guestPermissionLock !== 'locked') return false;
      }
      return true;
    },
  },
  {
    name: 'HostAndGuestPermissionsAreIndependent',
    claim: 'A host permission request never changes guest permission, and a guest request never changes host permission.',
    source: 'semantics invariant 21; observed 1a, 1g',
    kind: 'step',
    needs: [['REQ_PERM', 'REQ_GUEST_PERM']],
    ...judgedOn(['REQ_PERM', 'REQ_GUEST_PERM'], (t) => {
      const p = processOf(t.before, t.step.task);
      const q = processOf(t.after, t.step.task);
      if (!p || !q) return true;
      if (t.step.op === 'REQ_PERM') return processValue(p.snapshot).guestPermission === processValue(q.snapshot).guestPermission;
      return processValue(p.snapshot).hostPermission === processValue(q.snapshot).hostPermission;
    }),
  },
  {
    name: 'InstalledAltstackFitsAnAmxFrame',
    claim: 'Once permission is held, every installed altstack holds one AMX signal frame.',
    source: 'semantics invariant 17; kernel/signal.c:do_sigaltstack, xstate.c:validate_sigaltstack',
    kind: 'state',
    needs: [['SIGALTSTACK']],
    holds: ({ after, model }) =>
      everyLiveTask(after, (p, t) => {
        const { bytes } = altstackOf(t);
        if (!permitted(p) || bytes === 0) return true;
        return bytes >= model.platform.frameBytes.large;
      }),
  },
  {
    name: 'AltstackChecksAgree',
    claim: 'An altstack that sigaltstack() accepts after permission would also have been accepted by the permission request.',
    source: 'observed 5a vs 5f (the 116-byte window); signal.c:sigaltstack_size_valid vs xstate.c:validate_sigaltstack',
    kind: 'step',
    needs: [['SIGALTSTACK']],
    ...judgedOn(['SIGALTSTACK'], (t) => {
      if (t.observation.outcome !== 'ok') return true;
      const size = t.step.fields['size'];
      const p = processOf(t.before, t.step.task);
      if (size === 'disable' || !p || !permitted(p)) return true;
      return altstackSizeBytes(t.model.platform, size as AltstackSize) >= permissionRequestAltstackMinimum(t.model.platform);
    }),
  },
  // A property of infinite behaviour (TLA+'s <>, SPIN's acceptance cycles): violated by a lasso.
  {
    name: 'FaultingInstructionEventuallyCompletes',
    claim: 'A faulting instruction eventually completes, or its thread dies: no thread retries it forever.',
    source:
      'observed 2d (the handler ran 1,000,000 times); no-amx N14, N15; traps.c:handle_xfd_event (a handler that returns runs the instruction again)',
    kind: 'eventually',
    fairness:
      'weak fairness for the faulting thread alone: a thread whose instruction is retried keeps being scheduled; the other threads may stop for good, as blocked threads of a real program do',
    needs: [['SET_DISPOSITION'], ['TOUCH', 'LDTILECFG', 'XRSTOR']],
    // The model completes a retried instruction within the step that faulted, unless it faults again
    // with nothing changed: then the task is stuck on it, and that is the only open obligation there is.
    // A loop that makes no list where nothing is open: asked of every new state, where most are so.
    open: (s) => {
      let stuck: string[] | undefined;
      for (const p of s.processes) for (const t of p.tasks) if (t.stuckOn !== null && isAlive(t)) (stuck ??= []).push(t.name);
      return stuck ?? NOTHING_OPEN;
    },
  },
];

export function propertyByName(name: string): Property | undefined {
  return PROPERTIES.find((p) => p.name === name);
}

// The per-process (thread group) AMX state of Linux: host and guest permission, the guest-permission
// lock set by the first vCPU, and the dispositions of the two signals the AMX paths raise.
// Kept in the group leader's struct fpu and sighand; shared by all threads (xstate_get_group_perm).

import { and, emit, setup, stateIn, type MachineContext } from 'xstate';
import { XFEATURE_XTILE_DATA, hex, type PlatformProfile } from './platform.js';
import type { ProcessEmitted, ProcessEvent, ProcessInput, SigillHandler, SigsegvHandler } from './process-types.js';
import type { ChartMeta, Errno, TaskOutcome } from './task-types.js';

function report(outcome: TaskOutcome) {
  return emit<MachineContext, ProcessEvent, undefined, ProcessEvent, ProcessEmitted>({ type: 'outcome', outcome });
}

function initInput(event: unknown): ProcessInput | undefined {
  const e = event as { type?: string; input?: ProcessInput };
  return e.type === 'xstate.init' ? e.input : undefined;
}

function refuse(errno: Errno) {
  return report({ result: errno });
}

export function createProcessMachine(p: PlatformProfile) {
  return setup({
    types: {
      events: {} as ProcessEvent,
      input: {} as ProcessInput | undefined,
      emitted: {} as ProcessEmitted,
      meta: {} as ChartMeta,
    },
    guards: {
      inheritsHostPermission: ({ event }) => initInput(event)?.hostPermitted === true,
      inheritsGuestPermission: ({ event }) => initInput(event)?.guestPermitted === true,
      inheritsGuestLock: ({ event }) => initInput(event)?.guestLocked === true,
      inheritsSigill: ({ event }, params: { handler: SigillHandler }) => (initInput(event)?.sigill ?? 'default') === params.handler,
      inheritsSigsegv: ({ event }, params: { handler: SigsegvHandler }) => (initInput(event)?.sigsegv ?? 'default') === params.handler,
      // source: xstate.c:xstate_request_perm(): idx >= XFEATURE_MAX is EINVAL, high bits are not masked (p01 1e; no-amx N9).
      featureBeyondXfeatureMax: ({ event }) => 'feature' in event && (event.feature >= p.xfeatureMax || event.feature < 0),
      // source: xstate.c:xstate_request_perm(): only a dynamic feature this CPU supports can be requested.
      // XTILEDATA is the only dynamic one (17 is already permitted: p01 1c, 1d; E3 case c), and without
      // AMX fpu_user_cfg.max_features lacks it, so 18 is EOPNOTSUPP too, before any ENOSPC or EBUSY
      // check (E3 case d; observed-no-amx N8, N10, N16).
      featureNotDynamic: ({ event }) => 'feature' in event && !(p.amxUsable && event.feature === XFEATURE_XTILE_DATA),
      // validate_sigaltstack(): every live thread's altstack must hold an AMX frame (p05 5a, 5b).
      someThreadHasSmallAltstack: ({ event }) => event.type === 'REQ_PERM' && event.smallAltstackInProcess,
      /** Merged design: permission allocates nothing, so it cannot fail for memory. */
      permissionAllocatesBuffers: () => false,
      memoryExhausted: ({ event }) => event.type === 'REQ_PERM' && event.memory === 'exhausted',
      setsSigill: ({ event }, params: { handler: SigillHandler }) =>
        event.type === 'SET_DISPOSITION' && event.signal === 'SIGILL' && event.handler === params.handler,
      setsSigsegv: ({ event }, params: { handler: SigsegvHandler }) =>
        event.type === 'SET_DISPOSITION' && event.signal === 'SIGSEGV' && event.handler === params.handler,
      // FPU_GUEST_PERM_LOCKED: the first vCPU froze the guest permissions.
      guestPermissionLocked: stateIn({ guestPermissionLock: 'locked' }),
    },
    actions: {
      reportOk: report({ result: 'ok' }),
      reportSupported: report({ result: 'ok', bitmap: hex(p.xcompSupported) }),
      reportDefaultPermission: report({ result: 'ok', bitmap: hex(p.defaultPermission) }),
      reportAmxPermission: report({ result: 'ok', bitmap: hex(p.defaultPermission | (1 << XFEATURE_XTILE_DATA)) }),
      refuseEinval: refuse('EINVAL'),
      refuseEopnotsupp: refuse('EOPNOTSUPP'),
      refuseEnospc: refuse('ENOSPC'),
      refuseEnomem: refuse('ENOMEM'),
      refuseEbusy: refuse('EBUSY'),
      grantPermission: emit<MachineContext, ProcessEvent, undefined, ProcessEvent, ProcessEmitted>({ type: 'permissionGranted' }),
    },
  }).createMachine({
    id: 'process',
    description: 'One thread group: AMX permission for the host and for KVM guests, and its fault-signal handlers.',
    type: 'parallel',
    on: {
      GET_SUPP: { actions: 'reportSupported' },
      // Exec puts permissions, the guest lock and the handlers back to their defaults.
      EXEC: { target: '#process', reenter: true, meta: { source: 'fs/exec.c:begin_new_exec -> arch/x86/kernel/fpu/core.c:fpu_flush_thread' } },
    },
    states: {
      hostPermission: {
        description: 'ARCH_REQ_XCOMP_PERM: one-way until exec, inherited by fork.',
        meta: { source: 'arch/x86/kernel/fpu/xstate.c:xstate_request_perm' },
        initial: 'choosing',
        states: {
          choosing: { always: [{ guard: 'inheritsHostPermission', target: 'permitted' }, { target: 'unpermitted' }] },
          unpermitted: {
            on: {
              GET_PERM: { actions: 'reportDefaultPermission' },
              REQ_PERM: [
                { guard: 'featureBeyondXfeatureMax', actions: 'refuseEinval', meta: { source: 'arch/x86/kernel/fpu/xstate.c:xstate_request_perm; row 1e, N9' } },
                { guard: 'featureNotDynamic', actions: 'refuseEopnotsupp', meta: { source: 'arch/x86/kernel/fpu/xstate.c:xstate_request_perm; E3, N8, N10, N16' } },
                { guard: 'someThreadHasSmallAltstack', actions: 'refuseEnospc', meta: { source: 'arch/x86/kernel/fpu/xstate.c:validate_sigaltstack; rows 5a, 5b' } },
                { guard: and(['permissionAllocatesBuffers', 'memoryExhausted']), actions: 'refuseEnomem' },
                { target: 'permitted', actions: ['grantPermission', 'reportOk'] },
              ],
            },
          },
          permitted: {
            on: {
              GET_PERM: { actions: 'reportAmxPermission' },
              REQ_PERM: [
                { guard: 'featureBeyondXfeatureMax', actions: 'refuseEinval' },
                { guard: 'featureNotDynamic', actions: 'refuseEopnotsupp' },
                // Already permitted: the lock-free fast path returns 0 with no check.
                { actions: 'reportOk', meta: { source: 'arch/x86/kernel/fpu/xstate.c:xstate_request_perm (fast path); row 1b' } },
              ],
            },
          },
        },
      },
      guestPermission: {
        description: 'ARCH_REQ_XCOMP_GUEST_PERM: independent of host permission, no sigaltstack check (p01 1g, p05 1i).',
        meta: { source: 'arch/x86/kernel/fpu/xstate.c:__xstate_request_perm(guest=true)' },
        initial: 'choosing',
        states: {
          choosing: { always: [{ guard: 'inheritsGuestPermission', target: 'permitted' }, { target: 'unpermitted' }] },
          unpermitted: {
            on: {
              GET_GUEST_PERM: { actions: 'reportDefaultPermission' },
              REQ_GUEST_PERM: [
                { guard: 'featureBeyondXfeatureMax', actions: 'refuseEinval' },
                { guard: 'featureNotDynamic', actions: 'refuseEopnotsupp' },
                { guard: 'guestPermissionLocked', actions: 'refuseEbusy', meta: { source: 'arch/x86/kernel/fpu/xstate.c:__xstate_request_perm (FPU_GUEST_PERM_LOCKED); row 1j' } },
                { target: 'permitted', actions: 'reportOk' },
              ],
            },
          },
          permitted: {
            on: {
              GET_GUEST_PERM: { actions: 'reportAmxPermission' },
              REQ_GUEST_PERM: [
                { guard: 'featureBeyondXfeatureMax', actions: 'refuseEinval' },
                { guard: 'featureNotDynamic', actions: 'refuseEopnotsupp' },
                { actions: 'reportOk' },
              ],
            },
          },
        },
      },
      guestPermissionLock: {
        description: 'Set by the first KVM_CREATE_VCPU; cleared only by exec; inherited by fork (S7).',
        initial: 'choosing',
        states: {
          choosing: { always: [{ guard: 'inheritsGuestLock', target: 'locked' }, { target: 'unlocked' }] },
          unlocked: { on: { VCPU_CREATE: { target: 'locked', actions: 'reportOk' } } },
          locked: { on: { VCPU_CREATE: { actions: 'reportOk' } } },
        },
      },
      sigillDisposition: {
        description: 'What a SIGILL does: kill (default, or SIG_IGN, which a forced signal resets to default), or run a handler that skips the instruction or asks for permission.',
        initial: 'choosing',
        states: {
          choosing: {
            always: [
              { guard: { type: 'inheritsSigill', params: { handler: 'skip' } }, target: 'skip' },
              { guard: { type: 'inheritsSigill', params: { handler: 'request-permission' } }, target: 'requestPermission' },
              { guard: { type: 'inheritsSigill', params: { handler: 'ignore' } }, target: 'ignored' },
              { target: 'default' },
            ],
          },
          default: {},
          skip: {},
          requestPermission: {},
          ignored: { meta: { source: 'kernel/signal.c:force_sig_info_to_task (a forced signal that is ignored gets SIG_DFL); row 2g' } },
        },
        on: {
          SET_DISPOSITION: [
            { guard: { type: 'setsSigill', params: { handler: 'default' } }, target: '.default', actions: 'reportOk' },
            { guard: { type: 'setsSigill', params: { handler: 'skip' } }, target: '.skip', actions: 'reportOk' },
            { guard: { type: 'setsSigill', params: { handler: 'request-permission' } }, target: '.requestPermission', actions: 'reportOk' },
            { guard: { type: 'setsSigill', params: { handler: 'ignore' } }, target: '.ignored', actions: 'reportOk' },
          ],
        },
      },
      sigsegvDisposition: {
        description: 'What a SIGSEGV does: kill (default, or SIG_IGN, which a forced signal resets to default), or run a handler that skips the faulting instruction.',
        initial: 'choosing',
        states: {
          choosing: {
            always: [
              { guard: { type: 'inheritsSigsegv', params: { handler: 'skip' } }, target: 'skip' },
              { guard: { type: 'inheritsSigsegv', params: { handler: 'ignore' } }, target: 'ignored' },
              { target: 'default' },
            ],
          },
          default: {},
          skip: {},
          ignored: { meta: { source: 'kernel/signal.c:force_sig_info_to_task (a forced signal that is ignored gets SIG_DFL)' } },
        },
        on: {
          SET_DISPOSITION: [
            { guard: { type: 'setsSigsegv', params: { handler: 'default' } }, target: '.default', actions: 'reportOk' },
            { guard: { type: 'setsSigsegv', params: { handler: 'skip' } }, target: '.skip', actions: 'reportOk' },
            { guard: { type: 'setsSigsegv', params: { handler: 'ignore' } }, target: '.ignored', actions: 'reportOk' },
          ],
        },
      },
    },
  });
}

// The designs argued in 2021, each the merged chart with a few named guards or actions replaced
// (machine.provide()), or, for a call the merged ABI lacks (PREALLOC), the chart built with the
// transitions that take it. docs/variants.md tells who argued for each and what it changes.

import { emit } from 'xstate';
import type { PlatformProfile } from './platform.js';
import { createProcessMachine } from './process.js';
import { createTaskMachine } from './task.js';
import { extraOpsOf } from './kernel-events.js';
import { lookupTable } from '../src/own.js';

export const VARIANT_NAMES = ['linux', 'linux-fixed', 'prealloc-at-permission', 'prealloc-syscall', 'no-xfd'] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];

export type TaskMachine = ReturnType<typeof createTaskMachine>;
export type ProcessMachine = ReturnType<typeof createProcessMachine>;

export interface Variant {
  readonly name: VariantName;
  /** One sentence: what this variant changes against `linux`. */
  readonly changes: string;
  /**
   * The variant it is built on: a design variant differs from its base only in its allocation policy,
   * so the matrix compares designs, not a later bug (the pre-allocation designs sit on the leak-free exec).
   */
  readonly base: VariantName | null;
  /** The named guards and actions it replaces against `linux`, by machine (its base's included). */
  readonly replaces: { readonly task: readonly string[]; readonly process: readonly string[] };
  /** Ops this variant has beyond the merged ABI (the op table's `onlyIn`); its charts have the transitions that take them. */
  readonly extraOps: readonly string[];
  readonly task: TaskMachine;
  readonly process: ProcessMachine;
}

const always = () => true;
const never = () => false;

export function buildVariants(p: PlatformProfile): Readonly<Record<VariantName, Variant>> {
  const task = createTaskMachine(p);
  const process = createProcessMachine(p);
  // fpu_flush_thread() freeing the buffer: exec without the leak of docs/findings.md §1. What
  // linux-fixed replaces, the variants built on it replace too.
  const leakFree = task.provide({ actions: { dropLargeBufferAtExec: emit({ type: 'buffer', change: 'freed' }) } });
  const leakFreeReplaces = ['dropLargeBufferAtExec'] as const;
  // Without a prototype, so that no lookup by a name finds what every object inherits (src/own.ts).
  return lookupTable<Variant>({
    linux: {
      name: 'linux',
      changes: 'Nothing: the design merged in 5.16 as measured on 6.18, the exec leak included.',
      base: null,
      replaces: { task: [], process: [] },
      extraOps: extraOpsOf('linux'),
      task,
      process,
    },
    'linux-fixed': {
      name: 'linux-fixed',
      changes: 'exec frees the large buffer instead of orphaning it.',
      base: 'linux',
      replaces: { task: leakFreeReplaces, process: [] },
      extraOps: extraOpsOf('linux-fixed'),
      task: leakFree,
      process,
    },
    'prealloc-at-permission': {
      name: 'prealloc-at-permission',
      changes:
        'On linux-fixed: ARCH_REQ_XCOMP_PERM allocates the buffer for every thread and clone for every new thread of a permitted process; failure is ENOMEM from that call.',
      base: 'linux-fixed',
      replaces: { task: [...leakFreeReplaces, 'permissionAllocatesBuffer', 'cloneAllocatesBuffer'], process: ['permissionAllocatesBuffers'] },
      extraOps: extraOpsOf('prealloc-at-permission'),
      task: leakFree.provide({ guards: { permissionAllocatesBuffer: always, cloneAllocatesBuffer: always } }),
      process: process.provide({ guards: { permissionAllocatesBuffers: always } }),
    },
    'prealloc-syscall': {
      name: 'prealloc-syscall',
      changes: 'On linux-fixed: a per-thread PREALLOC call allocates the buffer synchronously (ENOMEM on failure); lazy allocation stays.',
      base: 'linux-fixed',
      replaces: { task: leakFreeReplaces, process: [] },
      extraOps: extraOpsOf('prealloc-syscall'),
      task: createTaskMachine(p, { preallocSyscall: true }).provide({ actions: { dropLargeBufferAtExec: emit({ type: 'buffer', change: 'freed' }) } }),
      process,
    },
    'no-xfd': {
      name: 'no-xfd',
      changes:
        'XFD is never armed: tile instructions never trap, permission is not enforced and no buffer grows, so tile data outgrows a default buffer.',
      base: 'linux',
      replaces: { task: ['tileDataAccessTraps'], process: [] },
      extraOps: extraOpsOf('no-xfd'),
      task: task.provide({ guards: { tileDataAccessTraps: never } }),
      process,
    },
  }) as Readonly<Record<VariantName, Variant>>;
}

export function isVariantName(name: string): name is VariantName {
  return (VARIANT_NAMES as readonly string[]).includes(name);
}

// The steps a configuration allows from a state of the search: one representative per symmetric
// choice, each op's fields as the configuration (from the op table) chooses them.

import { opSpec, type OpSpec } from '../../machines/kernel-events.js';
import { framesOf, isAlive, onThreadList, type SystemState } from '../model/state.js';
import type { SystemModel } from '../model/system.js';
import type { Outcome } from '../model/observation.js';
import type { Step, StepValue } from '../scenario/format.js';
import { CanonicalCodes } from './canonical.js';
import type { ExploreConfig, OpChoice } from './config.js';

const NO_FIELDS: Readonly<Record<string, never>> = Object.freeze({});

/** Where the search stands: a state, the execs along its path, and the number the next new task gets. */
export interface SearchPoint {
  readonly state: SystemState;
  readonly execs: number;
  readonly nextId: number;
}

/** The execs along a path after a step: one more after an exec that succeeded. */
export function execsAfter(execs: number, step: Step, outcome: Outcome): number {
  return execs + (step.op === 'EXEC' && outcome.outcome === 'ok' ? 1 : 0);
}

/** The configuration's choices as candidateSteps reads them for every state: see prepareChoices. */
export interface PreparedChoices {
  /**
   * The choices a task can take in the model's variant, each with its row of the op table and, for
   * one that creates a task, its fields with each name the new task may get (by the number in it),
   * made on first use: the same objects again and again, which the step table knows its steps by.
   */
  readonly ofTasks: readonly { readonly choice: OpChoice; readonly spec: OpSpec; readonly named: Readonly<Record<string, StepValue>>[] }[];
  readonly oomBegin: boolean;
  readonly oomEnd: boolean;
}

/** What candidateSteps looks up in the op table for each choice, looked up once: a search asks for every state. */
export function prepareChoices(model: SystemModel, config: ExploreConfig): PreparedChoices {
  const ofTasks: PreparedChoices['ofTasks'][number][] = [];
  for (const choice of config.ops) {
    const spec = opSpec(choice.op);
    if (spec !== undefined && spec.scope !== 'system' && model.hasOp(choice.op)) ofTasks.push({ choice, spec, named: [] });
  }
  return { ofTasks, oomBegin: config.ops.some((o) => o.op === 'OOM_BEGIN'), oomEnd: config.ops.some((o) => o.op === 'OOM_END') };
}

/** The steps the configuration allows from a node: one representative per symmetric choice. */
export function candidateSteps(model: SystemModel, config: ExploreConfig, node: SearchPoint, prepared: PreparedChoices = prepareChoices(model, config)): Step[] {
  const s = node.state;
  const out: Step[] = [];
  if (prepared.oomBegin && s.memory === 'available') out.push({ op: 'OOM_BEGIN', fields: {} });
  if (prepared.oomEnd && s.memory === 'exhausted') out.push({ op: 'OOM_END', fields: {} });
  const liveProcesses = s.processes.filter((p) => p.tasks.some(isAlive));
  // Processes alike are interchangeable: one of each (only worth a key where there are two).
  const alike = liveProcesses.length > 1 ? { seen: new Set<string>(), codes: new CanonicalCodes() } : undefined;
  for (const p of liveProcesses) {
    if (alike) {
      const pk = alike.codes.processText(model, p);
      if (alike.seen.has(pk)) continue;
      alike.seen.add(pk);
    }
    const live = p.tasks.filter(isAlive);
    // The bound counts the thread list: a zombie leader is still one of the group's threads.
    const threads = p.tasks.filter(onThreadList).length;
    const seenTasks = new Set<number>();
    for (const t of live) {
      // A vfork parent waits. A task stuck in an endless SIGILL refault never gets past its
      // instruction: that instruction, faulting again, is its one step (the cycle of a lasso).
      if (t.suspended) continue;
      if (t.stuckOn !== null) {
        out.push({ op: t.stuckOn.op, task: t.name, fields: t.stuckOn.fields });
        continue;
      }
      const tk = model.task.id(t.snapshot);
      if (seenTasks.has(tk)) continue;
      seenTasks.add(tk);
      const frames = framesOf(t).length;
      for (const { choice, spec, named } of prepared.ofTasks) {
        if (spec.creates === 'thread' && threads >= config.maxThreadsPerProcess) continue;
        if (spec.creates === 'process' && liveProcesses.length >= config.maxProcesses) continue;
        if (choice.op === 'VFORK' && s.processes.some((q) => q.vforkParent !== null)) continue;
        if (choice.op === 'EXEC' && choice.fields?.['fails'] !== true && node.execs >= config.maxExecs) continue;
        if (choice.op === 'SIGNAL' && frames >= config.maxSignalDepth) continue;
        if (spec.inHandler === true && frames === 0) continue;
        const fields = spec.creates !== undefined ? (named[node.nextId] ??= { ...choice.fields, child: `t${node.nextId}` }) : (choice.fields ?? NO_FIELDS);
        out.push({ op: choice.op, task: t.name, fields });
      }
    }
  }
  return out;
}

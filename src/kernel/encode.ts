// A scenario in the executor's line form (native/amxexec.c): tasks by index, altstack sizes in bytes
// of the platform the model predicts, and for each step which state fields to read back.

import { opSpec } from '../../machines/kernel-events.js';
import { altstackSizeBytes, type AltstackSize, type PlatformProfile } from '../../machines/platform.js';
import type { Observation } from '../model/observation.js';
import { ScenarioError, type Step } from '../scenario/format.js';
import { describeValue } from '../scenario/describe.js';

/**
 * Whether the executor may open /dev/kvm: true where it opened here, a reason where it may not (false:
 * no /dev/kvm on this machine).
 */
export interface KvmUse {
  readonly kvm: boolean | string;
}

/** Why the executor cannot make a step on this kernel (the op table says), or undefined when it can. */
export function modelOnlyReason(step: Step, host: KvmUse): string | undefined {
  const support = opSpec(step.op)?.executor;
  if (support === undefined || support.runs === 'always') return undefined;
  if (support.runs !== 'with-kvm') return support.why;
  if (host.kvm === true) return undefined;
  return host.kvm === false ? 'no /dev/kvm on this machine' : host.kvm;
}

export interface EncodedScenario {
  /** The executor's input. */
  readonly text: string;
  /** How many leading steps it runs: all of them, or those before the first model-only step. */
  readonly executed: number;
  readonly modelOnly?: { readonly step: number; readonly op: string; readonly why: string };
}

/** A name as the executor prints it back: a JSON string literal, short enough for its table. */
const NAME_LIMIT = 150;

/**
 * Encodes the steps the executor can make. `predicted` are the model's observations of the same
 * steps: the state fields they show (tiles, buffer) are the ones the executor reads back.
 */
export function encodeForExecutor(
  steps: readonly Step[],
  predicted: readonly Observation[],
  platform: PlatformProfile,
  host: KvmUse,
  stepTimeoutMs: number,
): EncodedScenario {
  const index = new Map<string, number>();
  const name = (n: string): number => {
    let i = index.get(n);
    if (i === undefined) {
      if (JSON.stringify(n).length > NAME_LIMIT) throw new ScenarioError(`task name ${describeValue(n)} is too long for the kernel executor (${NAME_LIMIT} bytes)`);
      i = index.size;
      index.set(n, i);
    }
    return i;
  };
  const lines: string[] = [`TIMEOUT ${stepTimeoutMs}`];
  let executed = 0;
  let modelOnly: EncodedScenario['modelOnly'];
  for (const [i, step] of steps.entries()) {
    const why = modelOnlyReason(step, host);
    if (why !== undefined) {
      modelOnly = { step: i + 1, op: step.op, why };
      break;
    }
    if (step.task === undefined) throw new ScenarioError(`step ${i + 1}: the executor needs a task for ${step.op}`, i + 1, 'task');
    const task = name(step.task);
    const o = predicted[i];
    const flags = `${o?.tiles !== undefined ? 't' : ''}${o?.buffer !== undefined ? 'b' : ''}` || '-';
    const fields = Object.entries(step.fields).map(([k, v]) => {
      if (k === 'child') return `child=${name(String(v))}`;
      if (k === 'size' && v !== 'disable') return `size=${altstackSizeBytes(platform, v as AltstackSize)}`;
      return `${k}=${String(v)}`;
    });
    lines.push(`STEP ${i + 1} ${step.op} ${task} ${flags}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}`);
    executed++;
  }
  const tasks = [...index.entries()].map(([n, i]) => `TASK ${i} ${JSON.stringify(n)}`);
  return { text: `${[...tasks, ...lines].join('\n')}\n`, executed, ...(modelOnly ? { modelOnly } : {}) };
}

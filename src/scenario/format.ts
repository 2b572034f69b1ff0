// The scenario format shared by simulate, check, paths, conformance and replay (docs/scenarios.md):
// parsing and validation, with errors that name the step and the field.

import { opSpec, type FieldSpec } from '../../machines/kernel-events.js';
import { DEFAULT_PLATFORM, PLATFORMS } from '../../machines/platform.js';
import { VARIANT_NAMES, isVariantName, type VariantName } from '../../machines/variants.js';

export type StepValue = string | number | boolean;

/** One step: an op, the task it acts on, and the op's own fields (defaults filled in). */
export interface Step {
  readonly op: string;
  readonly task?: string;
  readonly fields: Readonly<Record<string, StepValue>>;
  /** Free text carried through unchanged: why the step is there, or which property it breaks. */
  readonly note?: string;
}

export interface ScenarioHeader {
  readonly id?: string;
  readonly question?: string;
  readonly expected?: string;
  readonly requires?: readonly string[];
  readonly source?: string;
}

export interface Scenario {
  readonly variant: VariantName;
  readonly platform: string;
  readonly header?: ScenarioHeader;
  readonly steps: readonly Step[];
}

export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly step?: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const STEP_META_FIELDS = new Set(['op', 'task', 'note']);
const TOP_FIELDS = new Set(['variant', 'platform', 'header', 'steps']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkField(value: unknown, spec: FieldSpec, at: number, name: string): StepValue {
  const fail = (what: string) => new ScenarioError(`step ${at}: field "${name}" ${what}`, at, name);
  switch (spec.type.kind) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw fail(`must be an integer, got ${JSON.stringify(value)}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw fail(`must be true or false, got ${JSON.stringify(value)}`);
      return value;
    case 'name':
      if (typeof value !== 'string' || value.length === 0) throw fail(`must be a non-empty task name, got ${JSON.stringify(value)}`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.type.values.includes(value))
        throw fail(`must be one of ${spec.type.values.join(', ')}; got ${JSON.stringify(value)}`);
      return value;
  }
}

export function parseStep(raw: unknown, at: number): Step {
  if (!isRecord(raw)) throw new ScenarioError(`step ${at}: must be an object`, at);
  const op = raw['op'];
  if (typeof op !== 'string') throw new ScenarioError(`step ${at}: field "op" is missing or not a string`, at, 'op');
  const spec = opSpec(op);
  if (!spec) throw new ScenarioError(`step ${at}: field "op": unknown op ${JSON.stringify(op)}`, at, 'op');
  const task = raw['task'];
  if (spec.scope !== 'system' && (typeof task !== 'string' || task.length === 0))
    throw new ScenarioError(`step ${at}: field "task" is missing (op ${op} acts on a task)`, at, 'task');
  const note = raw['note'];
  if (note !== undefined && typeof note !== 'string') throw new ScenarioError(`step ${at}: field "note" must be a string`, at, 'note');
  for (const key of Object.keys(raw)) {
    if (!STEP_META_FIELDS.has(key) && !(key in spec.fields))
      throw new ScenarioError(`step ${at}: field "${key}" is not a field of op ${op}`, at, key);
  }
  const fields: Record<string, StepValue> = {};
  for (const [name, fieldSpec] of Object.entries(spec.fields)) {
    const value = raw[name];
    if (value === undefined) {
      if (fieldSpec.required) throw new ScenarioError(`step ${at}: field "${name}" is missing (op ${op} needs it)`, at, name);
      if (fieldSpec.default !== undefined) fields[name] = fieldSpec.default;
      continue;
    }
    fields[name] = checkField(value, fieldSpec, at, name);
  }
  return {
    op,
    ...(spec.scope !== 'system' ? { task: task as string } : {}),
    fields,
    ...(note !== undefined ? { note } : {}),
  };
}

/** Validates a parsed JSON value as a scenario; `variantOverride` wins over the file's variant. */
export function toScenario(json: unknown, variantOverride?: string): Scenario {
  if (!isRecord(json)) throw new ScenarioError('scenario: must be a JSON object with a "steps" array');
  for (const key of Object.keys(json))
    if (!TOP_FIELDS.has(key)) throw new ScenarioError(`scenario: field "${key}" is not a scenario field (variant, platform, header, steps)`, undefined, key);
  const variant = variantOverride ?? json['variant'] ?? 'linux';
  if (typeof variant !== 'string' || !isVariantName(variant))
    throw new ScenarioError(`scenario: field "variant": unknown variant ${JSON.stringify(variant)} (one of ${VARIANT_NAMES.join(', ')})`, undefined, 'variant');
  const platform = json['platform'] ?? DEFAULT_PLATFORM.name;
  if (typeof platform !== 'string' || !(platform in PLATFORMS))
    throw new ScenarioError(`scenario: field "platform": unknown platform ${JSON.stringify(platform)} (one of ${Object.keys(PLATFORMS).join(', ')})`, undefined, 'platform');
  const steps = json['steps'];
  if (!Array.isArray(steps)) throw new ScenarioError('scenario: field "steps" is missing or not an array', undefined, 'steps');
  const header = json['header'];
  if (header !== undefined && !isRecord(header)) throw new ScenarioError('scenario: field "header" must be an object', undefined, 'header');
  return {
    variant,
    platform,
    ...(header !== undefined ? { header: header as ScenarioHeader } : {}),
    steps: steps.map((s, i) => parseStep(s, i + 1)),
  };
}

export function parseScenario(text: string, variantOverride?: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`scenario: malformed JSON: ${(e as Error).message}`);
  }
  return toScenario(json, variantOverride);
}

/** The step back in its file form: what `simulate` reads and counterexamples print. */
export function stepToJson(step: Step): Record<string, StepValue> {
  return {
    ...(step.task !== undefined ? { task: step.task } : {}),
    op: step.op,
    ...step.fields,
    ...(step.note !== undefined ? { note: step.note } : {}),
  };
}

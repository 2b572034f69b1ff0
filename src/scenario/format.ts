// The scenario format shared by simulate, check, paths, conformance and replay (docs/scenarios.md):
// parsing and validation, with errors that name the step and the field.

import { opSpec, type FieldSpec } from '../../machines/kernel-events.js';
import { DEFAULT_PLATFORM, PLATFORMS, type PlatformProfile } from '../../machines/platform.js';
import { VARIANT_NAMES, isVariantName, type VariantName } from '../../machines/variants.js';
import { ownEntry } from '../own.js';
import { describeValue } from './describe.js';
import { MAX_STEPS } from './limits.js';
import { InputError, isJsonObject, parseJson } from './read.js';

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
  /** A lasso: the steps from this one (1-based) to the last repeat forever. */
  readonly loopsFrom?: number;
}

export interface Scenario {
  readonly variant: VariantName;
  readonly platform: string;
  readonly header?: ScenarioHeader;
  readonly steps: readonly Step[];
}

/**
 * A scenario file as amxstate writes one (check's counterexamples, paths' suite), which
 * parseScenario reads back: the header's four fields always given, the steps as stepToJson() writes them.
 */
export interface ScenarioFile {
  readonly variant: VariantName;
  /** The platform, when it is a named one other than the default (scenarioPlatform): `simulate` runs it there. */
  readonly platform?: string;
  readonly header: { readonly id: string; readonly question: string; readonly expected: string; readonly source: string; readonly loopsFrom?: number };
  readonly steps: readonly Record<string, StepValue>[];
}

/**
 * The `platform` field of a written scenario: a named profile other than the default; none for the
 * default, and none for a measured host or a measurement file, which no name brings back.
 */
export function scenarioPlatform(platform: PlatformProfile): { readonly platform?: string } {
  return platform !== DEFAULT_PLATFORM && PLATFORMS[platform.name] === platform ? { platform: platform.name } : {};
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
/** The header fields the docs name, and their types; any other header field is free. */
const HEADER_STRINGS = ['id', 'question', 'expected', 'source'] as const;

/** A field name as a message quotes it: `"palette"`, escaped and cut short however it is spelled. */
const fieldName = (name: string): string => describeValue(name);

function checkField(value: unknown, spec: FieldSpec, at: number, name: string): StepValue {
  const fail = (what: string) => new ScenarioError(`step ${at}: field ${fieldName(name)} ${what}`, at, name);
  switch (spec.type.kind) {
    case 'integer':
      // JSON reads 1e400 as Infinity: not an integer, and described as out of range. Huge finite values
      // stay: the kernel's feature number is an unsigned long, and 2^64 - 1 is a request it answers.
      if (typeof value !== 'number' || !Number.isInteger(value)) throw fail(`must be an integer, got ${describeValue(value)}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw fail(`must be true or false, got ${describeValue(value)}`);
      return value;
    case 'name':
      if (typeof value !== 'string' || value.length === 0) throw fail(`must be a non-empty task name, got ${describeValue(value)}`);
      return value;
    case 'bytes':
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
      if (typeof value === 'string' && spec.type.names.includes(value)) return value;
      throw fail(`must be a byte count (an integer from 0) or one of ${spec.type.names.join(', ')}; got ${describeValue(value)}`);
    case 'enum':
      if (typeof value !== 'string' || !spec.type.values.includes(value))
        throw fail(`must be one of ${spec.type.values.join(', ')}; got ${describeValue(value)}`);
      return value;
  }
}

export function parseStep(raw: unknown, at: number): Step {
  if (!isJsonObject(raw)) throw new ScenarioError(`step ${at}: must be an object, got ${describeValue(raw)}`, at);
  const op = ownEntry(raw, 'op');
  if (op === undefined) throw new ScenarioError(`step ${at}: field "op" is missing`, at, 'op');
  if (typeof op !== 'string') throw new ScenarioError(`step ${at}: field "op" must be a string, got ${describeValue(op)}`, at, 'op');
  const spec = opSpec(op);
  if (!spec) throw new ScenarioError(`step ${at}: field "op": unknown op ${describeValue(op)}`, at, 'op');
  const task = ownEntry(raw, 'task');
  if (task === undefined && spec.scope !== 'system') throw new ScenarioError(`step ${at}: field "task" is missing (op ${op} acts on a task)`, at, 'task');
  if (task !== undefined && (typeof task !== 'string' || task.length === 0))
    throw new ScenarioError(`step ${at}: field "task" must be a non-empty string, got ${describeValue(task)}`, at, 'task');
  const note = ownEntry(raw, 'note');
  if (note !== undefined && typeof note !== 'string') throw new ScenarioError(`step ${at}: field "note" must be a string, got ${describeValue(note)}`, at, 'note');
  for (const key of Object.keys(raw)) {
    if (!STEP_META_FIELDS.has(key) && !Object.hasOwn(spec.fields, key))
      throw new ScenarioError(`step ${at}: field ${fieldName(key)} is not a field of op ${op}`, at, key);
  }
  const fields: Record<string, StepValue> = {};
  for (const [name, fieldSpec] of Object.entries(spec.fields)) {
    const value = ownEntry(raw, name);
    if (value === undefined) {
      if (fieldSpec.required) throw new ScenarioError(`step ${at}: field ${fieldName(name)} is missing (op ${op} needs it)`, at, name);
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

function checkHeader(header: unknown): ScenarioHeader {
  if (!isJsonObject(header)) throw new ScenarioError(`scenario: field "header" must be an object, got ${describeValue(header)}`, undefined, 'header');
  for (const name of HEADER_STRINGS) {
    const v = ownEntry(header, name);
    if (v !== undefined && typeof v !== 'string')
      throw new ScenarioError(`scenario: field "header.${name}" must be a string, got ${describeValue(v)}`, undefined, `header.${name}`);
  }
  const requires = ownEntry(header, 'requires');
  if (requires !== undefined && (!Array.isArray(requires) || !requires.every((r) => typeof r === 'string')))
    throw new ScenarioError(`scenario: field "header.requires" must be an array of strings, got ${describeValue(requires)}`, undefined, 'header.requires');
  const loopsFrom = ownEntry(header, 'loopsFrom');
  if (loopsFrom !== undefined && (typeof loopsFrom !== 'number' || !Number.isSafeInteger(loopsFrom) || loopsFrom < 1))
    throw new ScenarioError(`scenario: field "header.loopsFrom" must be a step number (1 or more), got ${describeValue(loopsFrom)}`, undefined, 'header.loopsFrom');
  return header as ScenarioHeader;
}

/** Validates a parsed JSON value as a scenario; `variantOverride` wins over the file's variant. */
export function toScenario(json: unknown, variantOverride?: string): Scenario {
  if (!isJsonObject(json)) throw new ScenarioError(`scenario: must be a JSON object with a "steps" array, got ${describeValue(json)}`);
  for (const key of Object.keys(json))
    if (!TOP_FIELDS.has(key)) throw new ScenarioError(`scenario: field ${fieldName(key)} is not a scenario field (variant, platform, header, steps)`, undefined, key);
  // A null is not an absent field: it is reported, not replaced by the default.
  const fileVariant = ownEntry(json, 'variant');
  const variant = variantOverride ?? (fileVariant === undefined ? 'linux' : fileVariant);
  if (typeof variant !== 'string' || !isVariantName(variant))
    throw new ScenarioError(`scenario: field "variant": unknown variant ${describeValue(variant)} (one of ${VARIANT_NAMES.join(', ')})`, undefined, 'variant');
  const filePlatform = ownEntry(json, 'platform');
  const platform = filePlatform === undefined ? DEFAULT_PLATFORM.name : filePlatform;
  if (typeof platform !== 'string' || ownEntry(PLATFORMS, platform) === undefined)
    throw new ScenarioError(`scenario: field "platform": unknown platform ${describeValue(platform)} (one of ${Object.keys(PLATFORMS).join(', ')})`, undefined, 'platform');
  const steps = ownEntry(json, 'steps');
  if (steps === undefined) throw new ScenarioError('scenario: field "steps" is missing', undefined, 'steps');
  if (!Array.isArray(steps)) throw new ScenarioError(`scenario: field "steps" must be an array, got ${describeValue(steps)}`, undefined, 'steps');
  if (steps.length > MAX_STEPS)
    throw new ScenarioError(`scenario: field "steps" has ${steps.length} steps; a scenario has at most ${MAX_STEPS}`, undefined, 'steps');
  const header = ownEntry(json, 'header');
  return {
    variant,
    platform,
    ...(header !== undefined ? { header: checkHeader(header) } : {}),
    steps: steps.map((s: unknown, i) => parseStep(s, i + 1)),
  };
}

export function parseScenario(text: string, variantOverride?: string): Scenario {
  let json: unknown;
  try {
    json = parseJson(text, 'scenario');
  } catch (e) {
    if (e instanceof InputError) throw new ScenarioError(e.message);
    throw e;
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

// A conformance run made elsewhere: the KTAP output of `amx_model_test -v`, the selftest folder that
// `amxstate paths --emit kselftest` writes, read back as the run `amxstate conform` would have made.
// Machines with AMX are rare and may have no Node; the selftests need only make and a C compiler,
// and this reader turns what they printed into a result and a record.

import type { PlatformMeasurement } from '../../machines/measurement.js';
import type { PlatformProfile } from '../../machines/platform.js';
import { isJsonObject, InputError, parseJson } from '../scenario/read.js';
import type { KernelObservation, Prediction } from '../conform/compare.js';
import type { CaseResult } from '../conform/conform.js';
import { summarize, type ConformRun } from '../conform/record.js';
import { KSELFTEST_PLATFORMS, modelOnlyOfNote } from './emit.js';

export interface SelftestRun {
  readonly run: ConformRun;
  /** The profile whose predictions the harness chose (with AMX or without). */
  readonly profile: PlatformProfile;
  /** The day of the run (YYYY-MM-DD, UTC), where the output says it (`# date:`). */
  readonly date?: string;
}

const RESULT = /^(not )?ok (\d+) (\S+)(?: # SKIP (.*))?$/;

interface Pending {
  steps: KernelObservation[];
  why?: string;
  model?: Prediction;
  kernel?: KernelObservation | null;
  modelOnly?: ReturnType<typeof modelOnlyOfNote>;
  executorError?: string;
  wallMs?: number;
  total?: number;
}

function hostOf(value: unknown, where: string): PlatformMeasurement {
  const fields: Record<string, string> = { kernel: 'string', cpu: 'string', amxTile: 'boolean', amxUsable: 'boolean', minSigStackSize: 'number' };
  if (!isJsonObject(value)) throw new InputError(`${where}: the harness could not measure the machine (# host: is not a JSON object)`);
  for (const [k, type] of Object.entries(fields))
    if (typeof value[k] !== type) throw new InputError(`${where}: # host: "${k}" must be a ${type}`);
  return value as unknown as PlatformMeasurement;
}

function observationOf(text: string, where: string): KernelObservation {
  const o = parseJson(text, where);
  if (!isJsonObject(o) || typeof o['step'] !== 'number' || typeof o['outcome'] !== 'string')
    throw new InputError(`${where}: not an observation (an object with "step" and "outcome")`);
  return o as unknown as KernelObservation;
}

/** The case a result line closes, from the diagnostics that came before it. */
function caseOf(id: string, failed: boolean, p: Pending, where: string): CaseResult {
  const compared = p.steps.length + (failed && p.model ? 1 : 0);
  // Without the count (outputs of older harnesses), an agreeing case made every step it did not mark model-only.
  const steps = p.total ?? (p.modelOnly ? p.modelOnly.last : compared);
  const base = { id, steps, compared, wallMs: p.wallMs ?? 0 };
  const modelOnly = p.modelOnly ? { modelOnly: { step: p.modelOnly.step, op: p.modelOnly.op, why: p.modelOnly.why } } : {};
  const executorError = p.executorError ? { executorError: p.executorError } : {};
  if (!failed) return { ...base, status: 'agree', ...modelOnly, ...executorError };
  if (!p.model) throw new InputError(`${where}: "not ok" for ${id} without the "# model :" line that says where it diverged`);
  const field = p.why?.split(':')[0]?.trim();
  const divergence = { step: p.model.step, fields: field ? [field] : ['step'], model: p.model, kernel: p.kernel ?? null };
  return { ...base, status: 'diverge', ...modelOnly, divergence, ...executorError };
}

/** Reads the output of `amx_model_test -v`; `name` names it in errors. */
export function readSelftestOutput(text: string, name: string): SelftestRun {
  const lines = text.split('\n');
  if (lines[0]?.trim() !== 'TAP version 13') throw new InputError(`${name}: not the output of amx_model_test: its first line is not "TAP version 13"`);
  let host: PlatformMeasurement | undefined;
  let withAmx: boolean | undefined;
  let date: string | undefined;
  let suite: string | undefined;
  let planned: number | undefined;
  let verbose = false;
  let ran = 0;
  let totals: { pass: number; fail: number; skip: number } | undefined;
  const results: CaseResult[] = [];
  let p: Pending = { steps: [] };
  for (const [i, raw] of lines.entries()) {
    const line = raw.trimEnd();
    const where = `${name}:${i + 1}`;
    if (line === '' || i === 0) continue;
    let m: RegExpMatchArray | null;
    if (line.startsWith('# host: ')) host = hostOf(parseJson(line.slice(8), where), where);
    else if ((m = line.match(/^# date: (\d{4}-\d\d-\d\d)T/))) date = m[1];
    else if (line.startsWith('# suite: ')) suite = line.slice(9);
    else if ((m = line.match(/^# expectations of the model for a machine (with|without) AMX/))) withAmx = m[1] === 'with';
    else if ((m = line.match(/^1\.\.(\d+)(?: # SKIP (.*))?$/))) {
      if (m[2] !== undefined) throw new InputError(`${name}: the selftests were skipped: ${m[2]}`);
      planned = Number(m[1]);
    } else if (line.startsWith('# step: ')) {
      p.steps.push(observationOf(line.slice(8), where));
      verbose = true;
    } else if (line.startsWith('# model : ')) p.model = observationOf(line.slice(10), where) as unknown as Prediction;
    else if (line.startsWith('# kernel: ')) p.kernel = line.startsWith('# kernel: nothing') ? null : observationOf(line.slice(10), where);
    else if ((m = line.match(/^# wall: ([0-9.]+) ms(?:; steps: (\d+))?$/))) {
      p.wallMs = Number(m[1]);
      if (m[2] !== undefined) p.total = Number(m[2]);
      verbose = true;
    } else if ((m = line.match(/^# the executor ended with status (\d+)$/))) p.executorError = `the executor ended with status ${m[1]}`;
    else if ((m = line.match(/^# Totals: pass:(\d+) fail:(\d+) xfail:\d+ xpass:\d+ skip:(\d+) error:\d+$/))) totals = { pass: Number(m[1]), fail: Number(m[2]), skip: Number(m[3]) };
    else if ((m = line.match(RESULT))) {
      const [, not, number, id, skip] = m;
      if (Number(number) !== results.length + 1) throw new InputError(`${where}: test ${number} follows test ${results.length}: the output is not one whole run`);
      if (skip !== undefined) p.modelOnly = modelOnlyOfNote(skip) ?? p.modelOnly;
      results.push(caseOf(id!, not !== undefined, p, where));
      if (skip === undefined) ran++;
      p = { steps: [] };
    } else if (line.startsWith('# ')) {
      const note = modelOnlyOfNote(line.slice(2));
      if (note) p.modelOnly = note;
      else if (p.model === undefined && p.why === undefined) p.why = line.slice(2);
    } else throw new InputError(`${where}: not a line amx_model_test prints: ${JSON.stringify(line.slice(0, 80))}`);
  }
  if (!host) throw new InputError(`${name}: no "# host:" line: the output of an older amx_model_test, which did not describe its machine`);
  if (withAmx === undefined || planned === undefined) throw new InputError(`${name}: no plan: the run ended before its first test`);
  if (results.length !== planned || !totals) throw new InputError(`${name}: ${planned} tests planned, ${results.length} reported${totals ? '' : ' and no totals line'}: the run was cut short`);
  if (ran > 0 && !verbose) throw new InputError(`${name}: no "# step:" lines: run amx_model_test -v, whose output lists every step the kernel made`);
  if (withAmx !== host.amxUsable) throw new InputError(`${name}: the harness chose the model ${withAmx ? 'with' : 'without'} AMX, but its host says AMX usable: ${host.amxUsable}`);
  const diverge = results.filter((r) => r.status === 'diverge').length;
  if (totals.fail !== diverge || totals.pass + totals.skip !== results.length - diverge)
    throw new InputError(`${name}: the totals line (pass ${totals.pass}, fail ${totals.fail}, skip ${totals.skip}) does not count the ${results.length} results above it`);
  const profile = KSELFTEST_PLATFORMS[withAmx ? 1 : 0];
  const run: ConformRun = {
    host,
    platform: profile.name,
    via: 'amx_model_test -v (amxstate paths --emit kselftest), read by amxstate conform --from-selftest',
    ...(suite !== undefined ? { suite } : {}),
    summary: summarize(results, results.reduce((n, r) => n + r.wallMs, 0)),
    results,
  };
  return date === undefined ? { run, profile } : { run, profile, date };
}

// Recorded conformance runs: what `amxstate conform --record DIR` writes, and what the report lists.
// Runs on machines with AMX are the strongest evidence the project has; they are committed under
// docs/conformance/, each divergence with how it was settled.

import { readdirSync, writeFileSync } from 'node:fs';
import { describeValue } from '../scenario/describe.js';
import { InputError, parseJson, readText, sourceName } from '../scenario/read.js';
import { join } from 'node:path';
import type { PlatformMeasurement } from '../../machines/measurement.js';
import { makeParents } from '../files.js';
import type { CaseResult } from './conform.js';

export interface ConformSummary {
  readonly scenarios: number;
  readonly agree: number;
  readonly diverge: number;
  readonly steps: number;
  readonly stepsCompared: number;
  readonly stepsModelOnly: number;
  readonly wallMs: number;
}

/** The figures of a run's results; `wallMs`: how long the run took. */
export function summarize(results: readonly CaseResult[], wallMs: number): ConformSummary {
  const diverge = results.filter((r) => r.status === 'diverge').length;
  const steps = results.reduce((n, r) => n + r.steps, 0);
  const compared = results.reduce((n, r) => n + r.compared, 0);
  return { scenarios: results.length, agree: results.length - diverge, diverge, steps, stepsCompared: compared, stepsModelOnly: steps - compared, wallMs: Math.round(wallMs) };
}

/** What `conform --json` prints. */
export interface ConformRun {
  readonly host: PlatformMeasurement;
  readonly platform: string;
  /** How the run was made, where not by `amxstate conform` on the machine itself. */
  readonly via?: string;
  /** Which scenarios ran, where a selftest folder says so: the `paths` options it was emitted with. */
  readonly suite?: string;
  readonly summary: ConformSummary;
  readonly results: readonly CaseResult[];
}

export interface RecordedRun extends ConformRun {
  /** The day of the run, YYYY-MM-DD (UTC). */
  readonly date: string;
  /** How each divergence was settled, written by hand after the run: "<scenario id>: <what was done>". */
  readonly settled: readonly string[];
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'unknown';
}

/** A suite's short name: its configuration and criterion where `paths` options name them. */
function suiteName(suite: string): string {
  const m = /--config (\S+) --criterion ([\w-]+)/.exec(suite);
  return m ? `${m[1]}-${m[2]}` : slug(suite);
}

/** Writes the run as DIR/<date>-<cpu>-<amx or no-amx>-<kernel>[-<suite>].json; returns the path. */
export function recordRun(dir: string, run: ConformRun, now: Date): string {
  const date = now.toISOString().slice(0, 10);
  const suite = run.suite === undefined ? '' : `-${suiteName(run.suite)}`;
  const file = join(dir, `${date}-${slug(run.host.cpu)}-${run.host.amxUsable ? 'amx' : 'no-amx'}-${slug(run.host.kernel)}${suite}.json`);
  const recorded: RecordedRun = { date, ...run, settled: [] };
  makeParents(file);
  writeFileSync(file, `${JSON.stringify(recorded, null, 2)}\n`);
  return file;
}

/** Every run recorded in DIR, oldest first; a folder that does not exist holds none. */
export function loadRecordedRuns(dir: string): RecordedRun[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  // The shared reader: a record that cannot be read, is not UTF-8 or not JSON is one line (InputError).
  return files.map((f) => {
    const path = join(dir, f);
    const json = parseJson(readText(path), sourceName(path));
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new InputError(`${sourceName(path)}: a recorded conformance run must be a JSON object, got ${describeValue(json)}`);
    return json as RecordedRun;
  });
}

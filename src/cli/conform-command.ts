// `amxstate conform`: scenarios on the model of this machine and on its kernel, compared step by step.

import { writeFileSync } from 'node:fs';
import { command, type OptionValues } from './command.js';
import { profileFromMeasurement, type PlatformProfile } from '../../machines/platform.js';
import { runCase, type CaseResult, type ConformCase } from '../conform/conform.js';
import { ConformInputError, casesFrom, generatedCases, litmusCases } from '../conform/inputs.js';
import { junitXml } from '../conform/junit.js';
import { recordRun, summarize, type ConformRun } from '../conform/record.js';
import { measureHost } from '../kernel/measure.js';
import type { PlatformMeasurement } from '../../machines/measurement.js';
import { observationText } from '../model/observation-text.js';
import type { Observation } from '../model/observation.js';
import { platformOption } from '../platform/resolve.js';
import { ScenarioError } from '../scenario/format.js';
import { readText, sourceName } from '../scenario/read.js';
import { readSelftestOutput } from '../kselftest/selftest-output.js';
import { EXIT, UsageError } from './exit.js';
import { writableFile, writableFolder } from './output.js';
import { QUIET_OPTION, formatSeconds, withProgressSync } from './progress.js';

export function describeHost(m: PlatformMeasurement): string {
  return `Linux ${m.kernel} on ${m.cpu}; AMX usable: ${m.amxUsable ? 'yes' : 'no'} (amx_tile ${m.amxTile ? 'listed' : 'absent'} in /proc/cpuinfo); AT_MINSIGSTKSZ ${m.minSigStackSize}`;
}

function stepsText(r: CaseResult): string {
  const base = `${r.compared}/${r.steps} steps`;
  return r.modelOnly ? `${base} (step ${r.modelOnly.step} ${r.modelOnly.op} on: model-only, ${r.modelOnly.why})` : base;
}

function divergenceText(r: CaseResult): string[] {
  const d = r.divergence;
  if (!d) return [];
  const kernel = d.kernel ? observationText(d.kernel as unknown as Observation) || d.kernel.outcome : 'nothing (the executor stopped)';
  return [
    `        step ${d.step} ${d.model.op}${d.model.task !== undefined ? ` by ${JSON.stringify(d.model.task)}` : ''}: ${d.fields.join(', ')} differ`,
    `        model : ${observationText(d.model as Observation) || d.model.outcome}   ${JSON.stringify(d.model)}`,
    `        kernel: ${kernel}   ${JSON.stringify(d.kernel)}`,
    ...(r.executorError ? [`        executor: ${r.executorError.split('\n')[0]}`] : []),
  ];
}

interface ConformValues extends OptionValues {
  platform: string;
  json: boolean;
  junit?: string;
  'step-timeout': string;
  record?: string;
  'from-selftest'?: string;
  quiet?: boolean;
}

export const CONFORM = command<ConformValues>({
  name: 'conform',
  operands: '[PATH...]',
  summary: 'run scenarios on the model of this machine and on its kernel, and compare them step by step',
  details:
    'PATH: scenario files, or folders of them; without PATH, the generated transition suite and the litmus corpus.\n' +
    '--from-selftest reads a run made on another machine (one without Node, say) by the selftest folder of\n' +
    '`amxstate paths --emit kselftest`: make && ./amx_model_test -v > FILE there.',
  options: [
    { flags: '--platform <P>', description: 'the profile the model predicts with: host (measured here), a name, or a measurement FILE', default: 'host' },
    { flags: '--json', description: 'the machine, the figures and every result as one JSON object', default: false },
    { flags: '--junit <FILE>', description: 'also write the results as JUnit XML' },
    { flags: '--record <DIR>', description: 'also record the run in DIR (docs/conformance for the project)' },
    { flags: '--step-timeout <MS>', description: 'a step that has not answered by then is a timeout', default: '2000' },
    { flags: '--from-selftest <FILE>', description: 'report the output of amx_model_test -v (run elsewhere) instead of running here' },
    QUIET_OPTION,
  ],
  run: runConform,
});

export function runConform(values: ConformValues, positionals: readonly string[]): number {
  const stepTimeoutMs = Number(values['step-timeout']);
  if (!/^[0-9]+$/.test(values['step-timeout'] ?? '') || stepTimeoutMs < 10 || stepTimeoutMs > 600_000)
    throw new UsageError(`conform: --step-timeout: expected milliseconds from 10 to 600000, got ${JSON.stringify(values['step-timeout'])}`);
  // Output paths are checked before the run, so that a bad one is one line, not a wasted run.
  if (values.junit !== undefined) {
    if (values.junit === '') throw new UsageError('conform: --junit: empty file name');
    writableFile('conform: --junit', values.junit);
  }
  if (values.record !== undefined) {
    if (values.record === '') throw new UsageError('conform: --record: empty folder name');
    writableFolder('conform: --record', values.record);
  }
  if (values['from-selftest'] !== undefined) return reportSelftestRun(values, positionals);
  // A named platform or a file is read before any work; host is what the measurement below makes.
  const named = values.platform === 'host' || values.platform === undefined ? undefined : platformOption('conform', values.platform);
  let started = 0;
  const { host, platform, results } = withProgressSync('conform', values.quiet, (progress) => {
    let cases: ConformCase[];
    try {
      if (positionals.length === 0) {
        const generated = generatedCases(progress.explorer('generating the suite: exploring linux/default'));
        progress.done(`generated ${generated.length} scenarios from linux/default in ${formatSeconds(progress.elapsed())}`);
        cases = [...generated, ...litmusCases()];
      } else cases = positionals.flatMap(casesFrom);
    } catch (e) {
      if (e instanceof ConformInputError) throw new UsageError(`conform: ${e.message}`);
      throw e;
    }
    progress.update('measuring this machine (the first run builds the executor)');
    const host = measureHost();
    progress.done(`measured this machine in ${formatSeconds(progress.elapsed())}: ${describeHost(host)}`);
    const platform = named ?? profileFromMeasurement(host);
    started = performance.now();
    const results: CaseResult[] = [];
    for (const c of cases) {
      progress.update(`scenario ${results.length + 1} of ${cases.length}: ${c.id}`);
      try {
        results.push(runCase(c, platform, host, { stepTimeoutMs }));
      } catch (e) {
        if (e instanceof ScenarioError) throw new UsageError(`conform: ${c.file ?? c.id}: ${e.message}`);
        throw e;
      }
    }
    const diverging = results.filter((r) => r.status === 'diverge').length;
    progress.done(`ran ${results.length} scenarios (${results.length - diverging} agree, ${diverging} diverge) in ${formatSeconds(progress.elapsed())}`);
    return { host, platform, results };
  });
  const summary = summarize(results, performance.now() - started);
  return reportRun(values, { host, platform: platform.name, summary, results }, platform, new Date());
}

/** `--from-selftest FILE`: the selftests' run on another machine, reported and recorded like one made here. */
function reportSelftestRun(values: ConformValues, positionals: readonly string[]): number {
  if (positionals.length > 0) throw new UsageError('conform: --from-selftest reads a run made elsewhere: it takes no PATH');
  if (values.platform !== 'host') throw new UsageError('conform: --from-selftest: the selftests chose their model themselves, so --platform does not apply');
  const file = values['from-selftest'] ?? '';
  if (file === '') throw new UsageError('conform: --from-selftest: empty file name');
  const path = file === '-' ? null : file;
  const { run, profile, date } = readSelftestOutput(readText(path), sourceName(path));
  return reportRun(values, run, profile, date === undefined ? new Date() : new Date(`${date}T00:00:00Z`));
}

/** The run as text or JSON, as JUnit and as a record; the exit status says whether the kernel agreed. */
function reportRun(values: ConformValues, run: ConformRun, platform: PlatformProfile, day: Date): number {
  const { host, summary, results } = run;
  const { wallMs, stepsCompared: compared, steps } = summary;
  if (values.junit !== undefined) {
    try {
      writeFileSync(values.junit, junitXml(results, `amxstate conform on ${host.kernel} (${host.cpu})`, wallMs));
    } catch (e) {
      throw new UsageError(`conform: --junit: cannot write ${values.junit}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let recorded: string | undefined;
  if (values.record !== undefined) {
    try {
      recorded = recordRun(values.record, run, day);
    } catch (e) {
      throw new UsageError(`conform: --record: cannot write into ${values.record}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  } else {
    const lines = [
      `amxstate conform: ${describeHost(host)}`,
      ...(run.via ? [`made by ${run.via}${run.suite ? `; suite: ${run.suite}` : ''}`] : []),
      `predicting with platform ${platform.name}: ${platform.description}`,
      ...results.flatMap((r) => [`${r.status === 'agree' ? 'agree  ' : 'DIVERGE'} ${r.id}  ${stepsText(r)}`, ...divergenceText(r)]),
      `${summary.scenarios} scenarios: ${summary.agree} agree, ${summary.diverge} diverge; ${compared} of ${steps} steps made on the kernel and compared, ${steps - compared} model-only; ${(wallMs / 1000).toFixed(1)} s`,
      summary.diverge === 0
        ? `${results.length === 0 ? 'no scenario' : '100% agreement'} with the model's prediction for this machine`
        : `${((100 * summary.agree) / Math.max(1, summary.scenarios)).toFixed(1)}% agreement: ${summary.diverge} scenario(s) diverge`,
      ...(recorded ? [`recorded in ${recorded}: write how each divergence was settled into its "settled" list`] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return summary.diverge === 0 ? EXIT.ok : EXIT.mismatch;
}

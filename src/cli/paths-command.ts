// `amxstate paths`: the generated suite, one shortest scenario per reachable chart transition, with
// the coverage it reaches. Each scenario runs with `amxstate simulate` as it is.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command, CONFIG_OPTION, configOption, PLATFORM_OPTION, VARIANT_OPTION, variantOption, type OptionValues } from './command.js';
import { summarise } from '../coverage/coverage.js';
import { CRITERIA, generateSuite, type Criterion } from '../paths/suite.js';
import { modelFor } from '../simulate/simulate.js';
import { EXIT, UsageError } from './exit.js';
import { writableFolder } from './output.js';
import { quoted } from './quote.js';
import { QUIET_OPTION, formatSeconds, withProgressSync } from './progress.js';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { platformOption } from '../platform/resolve.js';
import { litmusCases } from '../conform/inputs.js';
import { emitKselftest, KSELFTEST_PLATFORMS } from '../kselftest/emit.js';
import { toScenario } from '../scenario/format.js';

/** --criterion C: what each generated scenario is the shortest way to. */
function criterionOption(name: string | undefined): Criterion {
  const criterion = name ?? 'transition';
  if (!(CRITERIA as readonly string[]).includes(criterion)) throw new UsageError(`paths: --criterion: unknown criterion ${quoted(criterion)} (one of ${CRITERIA.join(', ')})`);
  return criterion as Criterion;
}

/** --emit kselftest --out DIR: the suite (and the litmus corpus) as kernel selftests in C. */
function emitSelftests(values: { emit?: string; out?: string; variant?: string; config?: string; criterion?: string; platform?: string; json?: boolean; quiet?: boolean }): number {
  if (values.emit !== 'kselftest') throw new UsageError(`paths: --emit: unknown format ${quoted(String(values.emit))} (one of kselftest)`);
  if (values.out === undefined || values.out === '') throw new UsageError('paths: --emit kselftest needs --out DIR, the folder to write the selftests into');
  // The selftests hold the kernel to the merged design, on an AMX machine and on one without.
  if ((values.variant ?? 'linux') !== 'linux') throw new UsageError('paths: --emit kselftest: the kernel is the linux variant; --variant must be linux');
  if (values.platform !== undefined) throw new UsageError(`paths: --emit kselftest carries predictions for ${KSELFTEST_PLATFORMS.map((p) => p.name).join(' and ')}; --platform does not apply`);
  const config = configOption('paths', values.config);
  const criterion = criterionOption(values.criterion);
  prepareOut(values.out);
  const generated = withProgressSync('paths', values.quiet, (progress) => {
    const tests = generateSuite('linux', config, criterion, undefined, { onProgress: progress.explorer(`exploring linux/${config.name}`) }).tests;
    progress.done(`linux/${config.name}: ${tests.length} scenarios (criterion ${criterion}) in ${formatSeconds(progress.elapsed())}`);
    return tests.map((t) => ({ id: t.scenario.header.id, scenario: toScenario(t.scenario) }));
  });
  const cases = [...generated, ...litmusCases()];
  let count: number;
  try {
    count = emitKselftest(cases, values.out, `paths --config ${config.name} --criterion ${criterion}, and the litmus corpus`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    throw new UsageError(`paths: cannot write into ${values.out}: ${code}`);
  }
  process.stdout.write(`wrote ${count} kernel selftests (${generated.length} generated, ${count - generated.length} litmus) into ${values.out}: build and run them there with make && ./amx_model_test\n`);
  return EXIT.ok;
}

interface PathsValues extends OptionValues {
  variant: string;
  config: string;
  criterion: string;
  json: boolean;
  out?: string;
  platform?: string;
  emit?: string;
  quiet?: boolean;
}

/** --out DIR, checked (and created) before the search: a bad folder is one line, not a wasted run. */
function prepareOut(out: string): void {
  if (out === '') throw new UsageError('paths: --out: empty folder name');
  writableFolder('paths', out);
}

export const PATHS = command<PathsValues>({
  name: 'paths',
  summary: 'generate the test suite: a shortest scenario per reachable chart transition, state or transition pair',
  options: [
    VARIANT_OPTION,
    CONFIG_OPTION,
    { flags: '--criterion <C>', description: 'transition, state or transition-pair', default: 'transition' },
    PLATFORM_OPTION,
    { flags: '--json', description: 'the scenarios and their coverage as one JSON object', default: false },
    { flags: '--out <DIR>', description: 'write one scenario file per test into DIR' },
    { flags: '--emit <FORMAT>', description: 'kselftest: write C kernel selftests into --out DIR (make && ./amx_model_test)' },
    QUIET_OPTION,
  ],
  run: runPaths,
});

export function runPaths(values: PathsValues): number {
  if (values.emit !== undefined) return emitSelftests(values);
  const variant = variantOption('paths', values.variant ?? 'linux');
  const config = configOption('paths', values.config);
  const criterion = criterionOption(values.criterion);
  const platform = values.platform !== undefined ? platformOption('paths', values.platform) : DEFAULT_PLATFORM;
  if (values.out !== undefined) prepareOut(values.out);
  const label = `${variant}/${config.name}`;
  const suite = withProgressSync('paths', values.quiet, (progress) => {
    const generated = generateSuite(variant, config, criterion, platform, { onProgress: progress.explorer(`exploring ${label}`) });
    progress.done(`${label}: ${generated.tests.length} scenarios (criterion ${criterion}) in ${formatSeconds(progress.elapsed())}`);
    return generated;
  });
  const summaries = (['task', 'process'] as const).map((chart) => summarise(modelFor(variant, platform).variant, chart, suite.coverage));
  if (values.out !== undefined) {
    try {
      for (const t of suite.tests) writeFileSync(join(values.out, `${t.scenario.header.id}.json`), `${JSON.stringify(t.scenario, null, 2)}\n`);
    } catch (e) {
      throw new UsageError(`paths: cannot write into ${values.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (values.json) {
    const on = platform === DEFAULT_PLATFORM ? {} : { platform: platform.name };
    const pairs = suite.pairs ? { pairs: [...suite.pairs] } : {};
    process.stdout.write(`${JSON.stringify({ variant, ...on, config: config.name, criterion, tests: suite.tests, coverage: summaries, ...pairs }, null, 2)}\n`);
    return EXIT.ok;
  }
  const lines = [
    `amxstate paths: variant ${variant}${platform === DEFAULT_PLATFORM ? '' : `, platform ${platform.name}`}, configuration "${config.name}", criterion ${criterion}: ${suite.tests.length} scenarios, longest ${Math.max(0, ...suite.tests.map((t) => t.scenario.steps.length))} steps`,
    ...(suite.pairs
      ? [
          `  transition pairs covered: ${suite.pairs.size} (task chart ${[...suite.pairs].filter((p) => p.startsWith('task:')).length}, process chart ${[...suite.pairs].filter((p) => p.startsWith('process:')).length}): ` +
            'consecutive chart steps of one task or process, as reached along the shortest paths (a lower bound of the reachable pairs)',
        ]
      : []),
    ...summaries.flatMap((s) => [
      `  ${s.chart} chart: ${s.states.covered}/${s.states.total} states, ${s.transitions.covered}/${s.transitions.total} transitions covered, ${s.configurations} abstract states reached` +
        (s.uncoveredTransitions.length > 0 ? `; ${s.uncoveredTransitions.length} transition(s) not reached:` : ''),
      // One id a line: a chart's list runs to 1,500 characters and more on one line.
      ...s.uncoveredTransitions.map((id) => `      ${id}`),
    ]),
    ...suite.tests.map(
      (t) =>
        `${t.scenario.header.id}  ${t.scenario.steps.length} steps  covers ${criterion === 'transition' ? t.covers.join(' ') : criterion === 'state' ? `${t.covers.length} abstract state(s)` : `${t.covers.length} transition pair(s)`}`,
    ),
    ...(values.out !== undefined ? [`wrote ${suite.tests.length} scenarios into ${values.out}`] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

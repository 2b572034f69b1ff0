#!/usr/bin/env node
// The amxstate command line: one subcommand per output, exit codes (exit.ts) that say what went wrong.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { VARIANT_NAMES } from '../../machines/variants.js';
import { PLATFORMS } from '../../machines/platform.js';
import { ScenarioError, parseScenario } from '../scenario/format.js';
import { modelFor, simulate } from '../simulate/simulate.js';
import { PlatformUsageError, platformOption } from '../platform/resolve.js';
import { KernelUnavailableError } from '../kernel/measure.js';
import { renderTable } from './table.js';
import { ConformUsageError, runConform } from './conform-command.js';
import { runPlatform } from './platform-command.js';
import { ExecLeakUsageError, runExecLeak } from './exec-leak-command.js';
import { CheckUsageError, runCheck } from './check-command.js';
import { PathsUsageError, runPaths } from './paths-command.js';
import { DiagramOutputError, DiagramUsageError, runDiagram } from './diagram-command.js';
import { ReportOutputError, ReportUsageError, runReport } from './report-command.js';
import { RenderError, RendererUnavailableError } from '../diagram/render.js';

import { EXIT } from './exit.js';

class UsageError extends Error {}

const USAGE = `usage: amxstate <command> [options]

commands:
  check [--variant V] [--config NAME] [--platform P] [--json] [--max-states N] [--counterexamples]
                                             explore the model exhaustively; print the verdict matrix
  simulate [FILE|-] [--variant V] [--platform P] [--json]
                                             run a scenario through the model, one observation per step
  diagram [--variant V] [--machine task|process|system] [--format svg|dot|mermaid] [--out FILE]
          [--coverage CONFIG]                draw a chart or the composition (svg by default); a variant's
                                             changes against linux are highlighted, or with --coverage
                                             what the generated suite of CONFIG covers
  paths [--variant V] [--config NAME] [--platform P] [--criterion transition|state] [--json] [--out DIR]
                                             generate the test suite: a shortest scenario per reachable
                                             chart transition, and the coverage it reaches
  paths --emit kselftest --out DIR [--config NAME] [--criterion C]
                                             the suite and the litmus corpus as kernel selftests in C
                                             (make && ./amx_model_test; no Node needed)
  report [--out FILE] [--config NAME] [--platform P]
                                             write the verdict matrix, the charts and every counterexample
                                             as one self-contained HTML file (docs/report.html by default)
  platform [--json]                          measure this machine: AMX, xstate sizes, signal stacks
  conform [FILE|DIR ...] [--platform P] [--json] [--junit FILE] [--record DIR] [--step-timeout MS]
                                             run scenarios on the model of this machine (--platform host,
                                             the default) and on its kernel, and compare them step by step;
                                             without FILE: the generated suite and the litmus corpus
  exec-leak [--execs N] [--json]             on a machine with AMX: does exec free a thread's AMX buffer?
                                             (N <= 50 touch+exec children) beside linux and linux-fixed

variants: ${VARIANT_NAMES.join(', ')}
platforms (--platform of simulate, check, paths, report): ${Object.keys(PLATFORMS).join(', ')}, host (measured
             here), or FILE (a JSON measurement, as amxstate platform --json prints it)
exit status: 0 ok, 1 differs from machines/manifest.json (conform: the kernel diverges), 2 bad input, 3 cannot run on this machine,
             4 check stopped at --max-states (nothing differs, nothing proven)`;

function readInput(file: string | undefined): string {
  if (file === undefined) {
    if (process.stdin.isTTY) throw new UsageError('simulate: missing argument FILE (or - to read standard input)');
    return readFileSync(0, 'utf8');
  }
  if (file === '-') return readFileSync(0, 'utf8');
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`simulate: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function runSimulate(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    options: { variant: { type: 'string' }, platform: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new UsageError(`simulate: expected one scenario FILE, got ${positionals.length}`);
  const scenario = parseScenario(readInput(positionals[0]), values.variant);
  // --platform wins over the scenario's own platform field.
  const platform = values.platform !== undefined ? platformOption('simulate', values.platform) : scenario.platform;
  const { observations } = simulate(scenario, modelFor(scenario.variant, platform));
  const out = values.json ? observations.map((o) => JSON.stringify(o)).join('\n') : renderTable(observations);
  process.stdout.write(`${out}\n`);
  return EXIT.ok;
}

/** A command returns its exit code, or a promise of it when it has to wait (diagram renders with WebAssembly). */
type Command = (args: string[]) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  check: runCheck,
  simulate: runSimulate,
  diagram: runDiagram,
  paths: runPaths,
  report: runReport,
  platform: runPlatform,
  conform: runConform,
  'exec-leak': runExecLeak,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? EXIT.badInput : EXIT.ok;
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command "${command}" (one of ${Object.keys(COMMANDS).join(', ')})`);
    return await run(rest);
  } catch (e) {
    if (
      e instanceof ScenarioError || e instanceof UsageError || e instanceof CheckUsageError || e instanceof PathsUsageError || e instanceof DiagramUsageError || e instanceof DiagramOutputError ||
      e instanceof ReportUsageError || e instanceof ReportOutputError || e instanceof PlatformUsageError || e instanceof ConformUsageError || e instanceof ExecLeakUsageError
    ) {
      process.stderr.write(`amxstate: ${e.message}\n`);
      return EXIT.badInput;
    }
    if (e instanceof TypeError && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`amxstate: ${e.message}\n`);
      return EXIT.badInput;
    }
    if (e instanceof RendererUnavailableError || e instanceof RenderError || e instanceof KernelUnavailableError) {
      process.stderr.write(`amxstate: ${e.message}\n`);
      return EXIT.unsupported;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));

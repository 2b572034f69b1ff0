// `amxstate report`: the verdict matrix, the charts, every counterexample and the evidence gathered so
// far, as one self-contained HTML file. The only fact it reads from this machine is whether the CPU
// has AMX, and the conformance runs recorded under docs/conformance/; the rest is the same on every machine.

import { readFileSync, writeFileSync } from 'node:fs';
import { command, CONFIG_OPTION, configOption, PLATFORM_OPTION, type OptionValues } from './command.js';
import { reportHtml } from '../report/html.js';
import { gatherReport } from '../report/model.js';
import { coverageFigures } from '../report/coverage-figures.js';
import { projectRoot } from '../files.js';
import { writableFile } from './output.js';
import { defaultJobs } from '../check/pool.js';
import { isAbsolute, join, relative } from 'node:path';
import { loadRecordedRuns } from '../conform/record.js';
import { EXIT, UsageError } from './exit.js';
import { platformOption } from '../platform/resolve.js';
import { ALL_VARIANTS } from '../check/check.js';
import { quoted } from './quote.js';
import { QUIET_OPTION, formatSeconds, withProgress } from './progress.js';

/** Where the report goes without --out: this path under the project root, wherever the command runs from. */
export const DEFAULT_REPORT_PATH = 'docs/report.html';

/** The default output as an absolute path: DEFAULT_REPORT_PATH under projectRoot(). */
export function defaultReportPath(): string {
  return join(projectRoot(), DEFAULT_REPORT_PATH);
}

/** How the "wrote" line names the default output: relative to the current folder when inside it, else absolute. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Whether /proc/cpuinfo lists the amx_tile flag; null where it cannot be read (not Linux, no /proc). */
export function hostHasAmxTile(cpuinfo = '/proc/cpuinfo'): boolean | null {
  try {
    return /^flags\s*:.*\bamx_tile\b/m.test(readFileSync(cpuinfo, 'utf8'));
  } catch {
    return null;
  }
}

interface ReportValues extends OptionValues {
  out?: string;
  config: string;
  platform?: string;
  quiet?: boolean;
}

export const REPORT = command<ReportValues>({
  name: 'report',
  summary: 'write the verdict matrix, the charts, every counterexample and the evidence as one HTML file',
  options: [
    { flags: '--out <FILE>', description: `the HTML file (default: ${DEFAULT_REPORT_PATH} in the amxstate project folder, wherever you run it from)` },
    CONFIG_OPTION,
    PLATFORM_OPTION,
    QUIET_OPTION,
  ],
  details: 'The output folder is created and checked before the model is explored: a --out\nthat cannot be written fails at once, in one line.',
  run: runReport,
});

export async function runReport(values: ReportValues, positionals: readonly string[] = []): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`report: unexpected argument ${quoted(positionals[0]!)} (name the file with --out)`);
  const config = configOption('report', values.config);
  const platform = values.platform !== undefined ? platformOption('report', values.platform) : undefined;
  const out = values.out ?? defaultReportPath();
  if (out === '') throw new UsageError('report: --out: empty file name');
  // Before minutes of work: the folder exists (or is made), is a folder, and may be written in.
  writableFile('report', out);
  const html = await withProgress('report', values.quiet, async (progress) => {
    const coverage = await coverageFigures(config, progress.explorer(`coverage: exploring linux/${config.name}`));
    progress.done(`coverage: generated suite of linux/${config.name} explored and both charts painted in ${formatSeconds(progress.elapsed())}`);
    let checked = 0;
    const data = await gatherReport({
      config,
      jobs: defaultJobs(ALL_VARIANTS.length),
      coverage,
      conformance: { hostHasAmxTile: hostHasAmxTile(), runs: loadRecordedRuns(join(projectRoot(), 'docs', 'conformance')) },
      ...(platform ? { platform } : {}),
      onProgress: (variant, states, depth) => progress.update(`checking ${variant}: ${states} states, depth ${depth}`),
      onVariantChecked: (variant, stats) => {
        progress.done(`checked ${variant}: ${stats.states} states, depth ${stats.depth} in ${formatSeconds(stats.seconds * 1000)}`);
        if (++checked === ALL_VARIANTS.length) progress.update('drawing the charts and counterexamples');
      },
    });
    const page = reportHtml(data);
    progress.done(`charts and ${data.counterexamples.length} counterexamples drawn in ${formatSeconds(progress.elapsed())}`);
    return page;
  });
  try {
    writeFileSync(out, html);
  } catch (e) {
    throw new UsageError(`report: cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const shown = values.out ?? shownPath(out);
  process.stdout.write(`amxstate report: wrote ${shown} (${Buffer.byteLength(html)} bytes, configuration "${config.name}")\n`);
  return EXIT.ok;
}

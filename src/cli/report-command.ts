// `amxstate report`: the verdict matrix, the charts, every counterexample and the evidence gathered so
// far, as one self-contained HTML file. The only fact it reads from this machine is whether the CPU
// has AMX, and the conformance runs recorded under docs/conformance/; the rest is the same on every machine.

import { readFileSync, writeFileSync } from 'node:fs';
import { command, type OptionValues } from './command.js';
import { CONFIGS } from '../explore/config.js';
import { reportHtml } from '../report/html.js';
import { gatherReport } from '../report/model.js';
import { coverageFigures } from '../report/coverage-figures.js';
import { makeParents, projectRoot } from '../files.js';
import { join } from 'node:path';
import { loadRecordedRuns } from '../conform/record.js';
import { EXIT, UsageError } from './exit.js';
import { platformOption } from '../platform/resolve.js';

export class ReportUsageError extends UsageError {}

/** Writing the report failed: a path that cannot be created or written. */
export class ReportOutputError extends UsageError {}

export const DEFAULT_REPORT_PATH = 'docs/report.html';

/** Whether /proc/cpuinfo lists the amx_tile flag; null where it cannot be read (not Linux, no /proc). */
export function hostHasAmxTile(cpuinfo = '/proc/cpuinfo'): boolean | null {
  try {
    return /^flags\s*:.*\bamx_tile\b/m.test(readFileSync(cpuinfo, 'utf8'));
  } catch {
    return null;
  }
}

interface ReportValues extends OptionValues {
  out: string;
  config: string;
  platform?: string;
}

export const REPORT = command<ReportValues>({
  name: 'report',
  summary: 'write the verdict matrix, the charts, every counterexample and the evidence as one HTML file',
  options: [
    { flags: '--out <FILE>', description: 'the HTML file', default: DEFAULT_REPORT_PATH },
    { flags: '--config <NAME>', description: 'exploration bounds', default: 'default' },
    { flags: '--platform <P>', description: 'platform profile: a name, host or a measurement FILE' },
  ],
  run: runReport,
});

export async function runReport(values: ReportValues, positionals: readonly string[] = []): Promise<number> {
  if (positionals.length > 0) throw new ReportUsageError(`report: unexpected argument "${positionals[0]}" (name the file with --out)`);
  const config = CONFIGS[values.config ?? 'default'];
  if (!config) throw new ReportUsageError(`report: --config: unknown configuration "${values.config}" (one of ${Object.keys(CONFIGS).join(', ')})`);
  const platform = values.platform !== undefined ? platformOption('report', values.platform) : undefined;
  const out = values.out ?? DEFAULT_REPORT_PATH;
  if (out === '') throw new ReportUsageError('report: --out: empty file name');
  const progress = process.stderr.isTTY
    ? (variant: string, states: number, depth: number) => process.stderr.write(`\r${variant}: ${states} states, depth ${depth}   \x1b[K`)
    : undefined;
  const coverage = await coverageFigures(config);
  const data = await gatherReport({
    config,
    coverage,
    conformance: { hostHasAmxTile: hostHasAmxTile(), runs: loadRecordedRuns(join(projectRoot(), 'docs', 'conformance')) },
    ...(platform ? { platform } : {}),
    ...(progress ? { onProgress: progress } : {}),
  });
  if (progress) process.stderr.write('\r\x1b[K');
  const html = reportHtml(data);
  try {
    makeParents(out);
    writeFileSync(out, html);
  } catch (e) {
    throw new ReportOutputError(`report: cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  process.stdout.write(`amxstate report: wrote ${out} (${Buffer.byteLength(html)} bytes, configuration "${config.name}")\n`);
  return EXIT.ok;
}

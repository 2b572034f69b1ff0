// `amxstate diagram`: the task chart, the process chart or the composition, as SVG, DOT or Mermaid;
// for a variant other than linux, what it changes is highlighted.

import { writeFileSync } from 'node:fs';
import { writableFile } from './output.js';
import { quoted } from './quote.js';
import { QUIET_OPTION, formatSeconds, withProgress } from './progress.js';
import { command, configOption, VARIANT_OPTION, variantOption, type OptionValues } from './command.js';
import { UsageError } from './exit.js';
import { DIAGRAM_FORMATS, DIAGRAM_MACHINES, diagramText, type DiagramRequest } from '../diagram/request.js';
import { generateSuite } from '../paths/suite.js';

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`diagram: --${option}: unknown ${option} ${quoted(value)} (one of ${allowed.join(', ')})`);
  return value as T;
}

interface DiagramValues extends OptionValues {
  variant: string;
  machine: string;
  format: string;
  out?: string;
  coverage?: string;
  quiet?: boolean;
}

export const DIAGRAM = command<DiagramValues>({
  name: 'diagram',
  summary: "draw a chart or the composition; a variant's changes against linux are highlighted",
  options: [
    VARIANT_OPTION,
    { flags: '--machine <M>', description: 'task, process or system', default: 'task' },
    { flags: '--format <F>', description: 'svg, dot or mermaid', default: 'svg' },
    { flags: '--out <FILE>', description: 'write the picture to FILE instead of standard output' },
    { flags: '--coverage <CONFIG>', description: 'paint what the generated suite of CONFIG covers' },
    QUIET_OPTION,
  ],
  details: 'SVG is not written to a terminal: give --out FILE or redirect standard output\n(DOT and Mermaid are text and may go to one).',
  run: runDiagram,
});

export async function runDiagram(values: DiagramValues, positionals: readonly string[] = []): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`diagram: unexpected argument ${quoted(positionals[0]!)} (write the file with --out)`);
  const variant = variantOption('diagram', values.variant ?? 'linux');
  const coverage = values.coverage === undefined ? undefined : configOption('diagram', values.coverage, 'coverage');
  const machine = oneOf('machine', values.machine ?? 'task', DIAGRAM_MACHINES);
  if (coverage && machine === 'system') throw new UsageError('diagram: --coverage paints a chart: use --machine task or process');
  const format = oneOf('format', values.format ?? 'svg', DIAGRAM_FORMATS);
  // Some 80 KB of markup is no use on a screen, and it can leave the terminal in a strange state.
  if (values.out === undefined && format === 'svg' && process.stdout.isTTY)
    throw new UsageError('diagram: not writing SVG to a terminal: give --out FILE, redirect standard output (> FILE), or use --format dot or mermaid');
  if (values.out === '') throw new UsageError('diagram: --out: empty file name');
  if (values.out !== undefined) {
    // Before the work: a bad --out is one line at once.
    writableFile('diagram', values.out);
  }
  const text = await withProgress('diagram', values.quiet, async (progress) => {
    const req: DiagramRequest = { variant, machine, format };
    if (coverage) {
      const label = `${variant}/${coverage.name}`;
      const suite = generateSuite(variant, coverage, 'transition', undefined, { onProgress: progress.explorer(`coverage: exploring ${label}`) });
      progress.done(`coverage: generated suite of ${label} explored (${suite.tests.length} scenarios) in ${formatSeconds(progress.elapsed())}`);
      return diagramText({ ...req, coverage: { configName: coverage.name, coverage: suite.coverage } });
    }
    return diagramText(req);
  });
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (values.out === undefined) {
    process.stdout.write(body);
    return 0;
  }
  try {
    writeFileSync(values.out, body);
  } catch (e) {
    throw new UsageError(`diagram: cannot write ${values.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return 0;
}

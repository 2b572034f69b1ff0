// `amxstate diagram`: the task chart, the process chart or the composition, as SVG, DOT or Mermaid;
// for a variant other than linux, what it changes is highlighted.

import { writeFileSync } from 'node:fs';
import { makeParents } from '../files.js';
import { command, type OptionValues } from './command.js';
import { UsageError } from './exit.js';
import { VARIANT_NAMES, isVariantName } from '../../machines/variants.js';
import { DIAGRAM_FORMATS, DIAGRAM_MACHINES, diagramText, type DiagramRequest } from '../diagram/request.js';
import { CONFIGS } from '../explore/config.js';
import { generateSuite } from '../paths/suite.js';

export class DiagramUsageError extends UsageError {}

/** Writing the output failed: a path that cannot be created or written. */
export class DiagramOutputError extends UsageError {}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new DiagramUsageError(`diagram: --${option}: unknown ${option} "${value}" (one of ${allowed.join(', ')})`);
  return value as T;
}

interface DiagramValues extends OptionValues {
  variant: string;
  machine: string;
  format: string;
  out?: string;
  coverage?: string;
}

export const DIAGRAM = command<DiagramValues>({
  name: 'diagram',
  summary: "draw a chart or the composition; a variant's changes against linux are highlighted",
  options: [
    { flags: '--variant <V>', description: 'the design variant', default: 'linux' },
    { flags: '--machine <M>', description: 'task, process or system', default: 'task' },
    { flags: '--format <F>', description: 'svg, dot or mermaid', default: 'svg' },
    { flags: '--out <FILE>', description: 'write the picture to FILE instead of standard output' },
    { flags: '--coverage <CONFIG>', description: 'paint what the generated suite of CONFIG covers' },
  ],
  run: runDiagram,
});

export async function runDiagram(values: DiagramValues, positionals: readonly string[] = []): Promise<number> {
  if (positionals.length > 0) throw new DiagramUsageError(`diagram: unexpected argument "${positionals[0]}" (write the file with --out)`);
  const variant = values.variant ?? 'linux';
  if (!isVariantName(variant)) throw new DiagramUsageError(`diagram: --variant: unknown variant "${variant}" (one of ${VARIANT_NAMES.join(', ')})`);
  const coverage = values.coverage === undefined ? undefined : CONFIGS[values.coverage];
  if (values.coverage !== undefined && !coverage)
    throw new DiagramUsageError(`diagram: --coverage: unknown configuration "${values.coverage}" (one of ${Object.keys(CONFIGS).join(', ')})`);
  const machine = oneOf('machine', values.machine ?? 'task', DIAGRAM_MACHINES);
  if (coverage && machine === 'system') throw new DiagramUsageError('diagram: --coverage paints a chart: use --machine task or process');
  const req: DiagramRequest = {
    variant,
    machine,
    format: oneOf('format', values.format ?? 'svg', DIAGRAM_FORMATS),
    ...(coverage ? { coverage: { configName: coverage.name, coverage: generateSuite(variant, coverage).coverage } } : {}),
  };
  const text = await diagramText(req);
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (values.out === undefined) {
    process.stdout.write(body);
    return 0;
  }
  try {
    makeParents(values.out);
    writeFileSync(values.out, body);
  } catch (e) {
    throw new DiagramOutputError(`diagram: cannot write ${values.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return 0;
}

// `amxstate diagram`: the task chart, the process chart or the composition, as SVG, DOT or Mermaid;
// for a variant other than linux, what it changes is highlighted.

import { writeFileSync } from 'node:fs';
import { makeParents } from './files.js';
import { parseArgs } from 'node:util';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { VARIANT_NAMES, buildVariants, isVariantName, type VariantName } from '../../machines/variants.js';
import { chartGraph } from '../diagram/chart-graph.js';
import { toDot } from '../diagram/dot.js';
import { toMermaid } from '../diagram/mermaid.js';
import { renderSvg } from '../diagram/render.js';
import { systemDot, systemMermaid } from '../diagram/system.js';
import { variantMarks, type ChartName } from '../diagram/variant-diff.js';
import { coverageMarks } from '../coverage/coverage.js';
import { CONFIGS, type ExploreConfig } from '../explore/config.js';
import { generateSuite } from '../paths/suite.js';

export class DiagramUsageError extends Error {}

/** Writing the output failed: a path that cannot be created or written. */
export class DiagramOutputError extends Error {}

export const DIAGRAM_MACHINES = ['task', 'process', 'system'] as const;
export const DIAGRAM_FORMATS = ['svg', 'dot', 'mermaid'] as const;
export type DiagramMachine = (typeof DIAGRAM_MACHINES)[number];
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

export interface DiagramRequest {
  readonly variant: VariantName;
  readonly machine: DiagramMachine;
  readonly format: DiagramFormat;
  /** Paint what the generated suite of this configuration covers, instead of the variant's changes. */
  readonly coverage?: ExploreConfig;
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new DiagramUsageError(`diagram: --${option}: unknown ${option} "${value}" (one of ${allowed.join(', ')})`);
  return value as T;
}

/** The diagram as text in the requested format. */
export async function diagramText(req: DiagramRequest): Promise<string> {
  if (req.machine === 'system') {
    // The composition is the same for every variant: the variants replace pieces inside the charts.
    return req.format === 'mermaid' ? systemMermaid() : req.format === 'dot' ? systemDot() : `${await renderSvg(systemDot())}`;
  }
  const chart: ChartName = req.machine;
  const variant = buildVariants(DEFAULT_PLATFORM)[req.variant];
  const graph = chartGraph(variant[chart]);
  const covered = req.coverage ? generateSuite(req.variant, req.coverage).coverage : undefined;
  const marks = covered ? coverageMarks(graph, chart, covered) : req.variant === 'linux' ? undefined : variantMarks(variant, chart);
  const legend = covered
    ? { covered: `taken by the generated suite (${req.coverage!.name})`, uncovered: `not reached in ${req.coverage!.name}; no conformance run recorded` }
    : { changed: 'changed against linux' };
  const title = `${chart} chart, variant ${req.variant}${covered ? `: coverage of configuration ${req.coverage!.name}` : ''}`;
  if (req.format === 'mermaid') return toMermaid(graph, { ...(marks ? { marks, legend } : {}) });
  const dot = toDot(graph, { title, ...(marks ? { marks, legend } : {}) });
  return req.format === 'dot' ? dot : renderSvg(dot);
}

export async function runDiagram(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      variant: { type: 'string', default: 'linux' },
      machine: { type: 'string', default: 'task' },
      format: { type: 'string', default: 'svg' },
      out: { type: 'string' },
      coverage: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
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
    ...(coverage ? { coverage } : {}),
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

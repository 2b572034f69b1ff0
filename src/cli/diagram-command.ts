// `amxstate diagram`: the task chart, the process chart or the composition, as SVG, DOT or Mermaid;
// for a variant other than linux, what it changes is highlighted.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { VARIANT_NAMES, buildVariants, isVariantName, type VariantName } from '../../machines/variants.js';
import { chartGraph } from '../diagram/chart-graph.js';
import { toDot } from '../diagram/dot.js';
import { toMermaid } from '../diagram/mermaid.js';
import { renderSvg } from '../diagram/render.js';
import { systemDot, systemMermaid } from '../diagram/system.js';
import { variantMarks, type ChartName } from '../diagram/variant-diff.js';

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
  const marks = req.variant === 'linux' ? undefined : variantMarks(variant, chart);
  const legend = { changed: 'changed against linux' };
  if (req.format === 'mermaid') return toMermaid(graph, { ...(marks ? { marks, legend } : {}) });
  const dot = toDot(graph, { title: `${chart} chart, variant ${req.variant}`, ...(marks ? { marks, legend } : {}) });
  return req.format === 'dot' ? dot : renderSvg(dot);
}

/**
 * Creates the missing directories above a file one by one. Node's `mkdirSync(dir, {recursive: true})`
 * spins forever where mkdir fails with ENOENT under an existing parent (as in /proc), so not that.
 */
export function makeParents(file: string): void {
  const missing: string[] = [];
  for (let dir = dirname(file); !existsSync(dir); dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) mkdirSync(dir);
}

export async function runDiagram(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      variant: { type: 'string', default: 'linux' },
      machine: { type: 'string', default: 'task' },
      format: { type: 'string', default: 'svg' },
      out: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new DiagramUsageError(`diagram: unexpected argument "${positionals[0]}" (write the file with --out)`);
  const variant = values.variant ?? 'linux';
  if (!isVariantName(variant)) throw new DiagramUsageError(`diagram: --variant: unknown variant "${variant}" (one of ${VARIANT_NAMES.join(', ')})`);
  const req: DiagramRequest = {
    variant,
    machine: oneOf('machine', values.machine ?? 'task', DIAGRAM_MACHINES),
    format: oneOf('format', values.format ?? 'svg', DIAGRAM_FORMATS),
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

// A diagram as text: the task chart, the process chart or the composition, as SVG, DOT or Mermaid,
// with a variant's changes or a run's coverage marked. The diagram command, npm run docs and the
// report all draw through here.

import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { buildVariants, type VariantName } from '../../machines/variants.js';
import type { Coverage } from '../coverage/coverage.js';
import { chartGraph } from '../model/chart-graph.js';
import { coverageMarks } from './coverage-marks.js';
import { toDot } from './dot.js';
import { toMermaid } from './mermaid.js';
import { renderSvg } from './render.js';
import { systemDot, systemMermaid } from './system.js';
import { variantMarks, type ChartName } from './variant-diff.js';

export const DIAGRAM_MACHINES = ['task', 'process', 'system'] as const;
export const DIAGRAM_FORMATS = ['svg', 'dot', 'mermaid'] as const;
export type DiagramMachine = (typeof DIAGRAM_MACHINES)[number];
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

export interface CoverageOverlay {
  /** The configuration whose generated suite made the coverage, for the title and legend. */
  readonly configName: string;
  readonly coverage: Coverage;
}

export interface DiagramRequest {
  readonly variant: VariantName;
  readonly machine: DiagramMachine;
  readonly format: DiagramFormat;
  /** Paint what a run covered (the generated suite of a configuration), instead of the variant's changes. */
  readonly coverage?: CoverageOverlay;
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
  const overlay = req.coverage;
  const marks = overlay ? coverageMarks(graph, chart, overlay.coverage) : req.variant === 'linux' ? undefined : variantMarks(variant, chart);
  const legend = overlay
    ? { covered: `taken by the generated suite (${overlay.configName})`, uncovered: `not reached in ${overlay.configName}; no conformance run recorded` }
    : { changed: 'changed against linux' };
  const title = `${chart} chart, variant ${req.variant}${overlay ? `: coverage of configuration ${overlay.configName}` : ''}`;
  if (req.format === 'mermaid') return toMermaid(graph, { ...(marks ? { marks, legend } : {}) });
  const dot = toDot(graph, { title, ...(marks ? { marks, legend } : {}) });
  return req.format === 'dot' ? dot : renderSvg(dot);
}

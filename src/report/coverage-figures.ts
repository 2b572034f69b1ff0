// The report's coverage section: the task and process charts of `linux` painted with what the
// generated suite of the report's configuration covers.

import { summarise } from '../coverage/coverage.js';
import { diagramText } from '../diagram/request.js';
import type { ExploreConfig } from '../explore/config.js';
import { generateSuite } from '../paths/suite.js';
import { modelFor } from '../simulate/simulate.js';
import type { CoverageFigure } from './model.js';

export async function coverageFigures(config: ExploreConfig, onProgress?: (states: number, depth: number) => void): Promise<CoverageFigure[]> {
  const suite = generateSuite('linux', config, 'transition', undefined, onProgress ? { onProgress } : {});
  const variant = modelFor('linux').variant;
  const figures: CoverageFigure[] = [];
  for (const chart of ['task', 'process'] as const) {
    const s = summarise(variant, chart, suite.coverage);
    figures.push({
      svg: await diagramText({ variant: 'linux', machine: chart, format: 'svg', coverage: { configName: config.name, coverage: suite.coverage } }),
      summary:
        `The ${chart} chart (linux): the ${suite.tests.length} generated scenarios of configuration ${config.name} take ` +
        `${s.transitions.covered} of ${s.transitions.total} transitions and enter ${s.states.covered} of ${s.states.total} states. ` +
        `Grey dashed: never reached in this configuration. No conformance run is recorded, so nothing is marked as run on a kernel.`,
    });
  }
  return figures;
}

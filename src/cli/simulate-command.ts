// `amxstate simulate`: a scenario through the model, one observation per step.

import { parseScenario } from '../scenario/format.js';
import { modelFor, simulate } from '../simulate/simulate.js';
import { platformOption } from '../platform/resolve.js';
import { command, type OptionValues } from './command.js';
import { readScenarioText } from './input.js';
import { renderTable } from './table.js';
import { EXIT } from './exit.js';

interface SimulateValues extends OptionValues {
  variant?: string;
  platform?: string;
  json: boolean;
}

export const SIMULATE = command<SimulateValues>({
  name: 'simulate',
  operands: '[FILE]',
  summary: 'run a scenario through the model: what each step returns or raises',
  details: 'FILE: a scenario (docs/scenarios.md); - or nothing reads standard input.',
  options: [
    { flags: '--variant <V>', description: "the design variant (default: the scenario's, else linux)" },
    { flags: '--platform <P>', description: "platform profile (default: the scenario's): a name, host or a measurement FILE" },
    { flags: '--json', description: 'JSON lines, one observation per step, instead of a table', default: false },
  ],
  run: (values, operands) => {
    const scenario = parseScenario(readScenarioText('simulate', operands[0]), values.variant);
    // --platform wins over the scenario's own platform field.
    const platform = values.platform !== undefined ? platformOption('simulate', values.platform) : scenario.platform;
    const { observations } = simulate(scenario, modelFor(scenario.variant, platform));
    const out = values.json ? observations.map((o) => JSON.stringify(o)).join('\n') : renderTable(observations);
    process.stdout.write(`${out}\n`);
    return EXIT.ok;
  },
});

// npm run bench: explorer throughput on named configurations, printed as figures (no pass/fail).

import { CONFIGS } from '../src/explore/config.js';
import { explore } from '../src/explore/explore.js';
import { PROPERTIES } from '../src/properties/catalogue.js';
import { modelFor } from '../src/simulate/simulate.js';

const configs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['tiny', 'default'];
for (const name of configs) {
  const config = CONFIGS[name];
  if (!config) {
    process.stderr.write(`bench: unknown configuration "${name}" (one of ${Object.keys(CONFIGS).join(', ')})\n`);
    process.exitCode = 2;
    continue;
  }
  const r = explore(modelFor('linux'), config, { properties: PROPERTIES });
  const s = r.stats;
  process.stdout.write(
    `linux/${name}: ${s.states} states, ${s.transitions} transitions, depth ${s.depth}, ${s.seconds.toFixed(2)} s, ${s.statesPerSecond} states/s, ${Math.round(s.transitions / s.seconds)} transitions/s, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB\n`,
  );
}

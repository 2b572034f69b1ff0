// npm run bench [-- CONFIG ...]: the explorer's throughput on named configurations, and the same
// state space traversed by xstate/graph's getAdjacencyMap, printed as figures and ratios (no pass/fail).
// CPU seconds are printed beside wall seconds because the machine may be shared.

import { CONFIGS, type ExploreConfig } from '../src/explore/config.js';
import { explore } from '../src/explore/explore.js';
import { adjacencyStateKeys } from '../src/explore/xstate-graph.js';
import { PROPERTIES } from '../src/properties/catalogue.js';
import { modelFor } from '../src/simulate/simulate.js';

interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

function timed<T>(run: () => T): { value: T; time: Timing } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(cpu);
  return { value, time: { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 } };
}

const seconds = (t: Timing) => `${t.wall.toFixed(2)} s (cpu ${t.cpu.toFixed(2)} s)`;
const line = (text: string) => process.stdout.write(`${text}\n`);

function benchExplorer(config: ExploreConfig): Timing {
  const { value: r, time } = timed(() => explore(modelFor('linux'), config, { properties: PROPERTIES }));
  const s = r.stats;
  line(
    `explorer   linux/${config.name}: ${s.states} states, ${s.transitions} transitions, depth ${s.depth}, ${PROPERTIES.length} properties, ` +
      `${seconds(time)}, ${Math.round(s.states / time.cpu)} states/cpu-s, ${Math.round(s.transitions / time.cpu)} transitions/cpu-s, ` +
      `heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`,
  );
  return time;
}

function benchXstateGraph(config: ExploreConfig, explorer: Timing, modes: readonly boolean[]): void {
  for (const memoise of modes) {
    const { value: keys, time } = timed(() => adjacencyStateKeys(modelFor('linux', undefined, { memoise }), config));
    line(
      `xstate/graph linux/${config.name} (${memoise ? "explorer's memoised step function" : "xstate's transition() every step"}): ` +
        `${keys.size} states, ${seconds(time)}; explorer is ${(time.cpu / explorer.cpu).toFixed(1)}x faster (cpu), ${(time.wall / explorer.wall).toFixed(1)}x (wall)`,
    );
  }
}

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['default', 'large'];
// Without the memo tables xstate/graph needs about 25 s on default; on large it would need minutes.
const unmemoisedBaseline = new Set(['tiny', 'default']);
for (const name of names) {
  const config = CONFIGS[name];
  if (!config) {
    process.stderr.write(`bench: unknown configuration "${name}" (one of ${Object.keys(CONFIGS).join(', ')})\n`);
    process.exitCode = 2;
    continue;
  }
  const explorer = benchExplorer(config);
  benchXstateGraph(config, explorer, unmemoisedBaseline.has(name) ? [true, false] : [true]);
  if (!unmemoisedBaseline.has(name)) line(`xstate/graph linux/${name} with xstate's transition() every step: not run (minutes; see default)`);
}

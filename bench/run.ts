// npm run bench [-- CONFIG ...]: the explorer's throughput on named configurations, and the same
// state space traversed by xstate/graph's getAdjacencyMap, printed as figures and ratios (no pass/fail);
// `check --threads any` (the view abstraction) on the one-process configurations;
// what simulate costs per step on 10^4 and 10^5 simple steps; the conformance suite on this kernel;
// the scaling series on core ops (1x1 to 1x5 threads, 2x2 to 2x4 with fork, and any number of processes
// of 2 or 3 threads by units), each bounded in time
// and memory and printed as "stopped at N states" when a bound cut it.
// `npm start` itself (check on the default preset, every variant, as a child process): its wall time
// against issue 13's target of under 10 s, with the number of variants searched at once; and
// `check --threads 4 --reduction views` against its target for 1x4 of under 30 s.
// The young generation a searching thread gets (src/check/young-generation.ts) against node's default,
// on the search it helps most, each in a process of its own.
// CPU seconds are printed beside wall seconds because the machine may be shared.

import { boundedConfig, CONFIGS, modelOptionsFor, type ExploreConfig } from '../src/explore/config.js';
import { explore, memoryInUse, type ExploreResult } from '../src/explore/explore.js';
import { checkVariantAnyThreads } from '../src/check/counter-check.js';
import { adjacencyStateKeys } from '../src/explore/xstate-graph.js';
import { PROPERTIES } from '../src/properties/catalogue.js';
import { modelFor, simulate } from '../src/simulate/simulate.js';
import type { SystemModel } from '../src/model/system.js';
import { simpleScenario, speedup } from './figures.js';
import { DEFAULT_PLATFORM, profileFromMeasurement } from '../machines/platform.js';
import { runCase } from '../src/conform/conform.js';
import { generatedCases, litmusCases } from '../src/conform/inputs.js';
import { KernelUnavailableError } from '../src/kernel/executor.js';
import { measureHost } from '../src/kernel/measure.js';
import { defaultJobs } from '../src/check/pool.js';
import { everyProcessCount } from '../src/explore/units.js';
import { ALL_VARIANTS, searchModel } from '../src/check/check.js';
import { SEARCH_NODE_FLAG } from '../src/check/young-generation.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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

/** A search's throughput as the lines print it. */
function rates(r: ExploreResult, time: Timing): string {
  return `${Math.round(r.stats.states / time.cpu)} states/cpu-s, ${Math.round(r.stats.transitions / time.cpu)} transitions/cpu-s`;
}

/** How many times benchExplorer runs a search again with its model's memo tables full. */
const KEPT_RUNS = 5;

/**
 * The explorer on a configuration, then again in this process, where the code is compiled by
 * now: with a new model, whose memo tables start empty (each chart step runs XState once), and KEPT_RUNS
 * times with the first run's model, whose tables hold every step: what the engine does once nothing
 * is left to warm up (the best and the median run). A search of a second or so spends most of its first run on the warming.
 */
function benchExplorer(config: ExploreConfig): Timing {
  const model = searchModel('linux', DEFAULT_PLATFORM, config);
  const { value: r, time } = timed(() => explore(model, config, { properties: PROPERTIES }));
  const s = r.stats;
  line(
    `explorer   linux/${config.name}: ${s.states} states, ${s.transitions} transitions (${r.fromTable} answered by the step table, ${r.fromTableStaying} of them back to the state they left), depth ${s.depth}, ${PROPERTIES.length} properties, ` +
      `${seconds(time)}, ${rates(r, time)}, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`,
  );
  const again = (m: SystemModel) => timed(() => explore(m, config, { properties: PROPERTIES }));
  const fresh = again(searchModel('linux', DEFAULT_PLATFORM, config));
  // Run several times: on a shared machine one run of half a second can take twice as long as the next.
  const kept = Array.from({ length: KEPT_RUNS }, () => again(model)).sort((a, b) => a.time.cpu - b.time.cpu);
  const best = kept[0]!;
  const median = kept[Math.floor(KEPT_RUNS / 2)]!;
  const same = [fresh, ...kept].every((x) => x.value.stats.states === s.states && x.value.stats.transitions === s.transitions);
  line(
    `explorer   linux/${config.name} again, code compiled: a new model (memo tables empty) ${seconds(fresh.time)}, ${rates(fresh.value, fresh.time)}; ` +
      `the same model (memo tables full), best of ${KEPT_RUNS} ${seconds(best.time)}, ${rates(best.value, best.time)}, median ${seconds(median.time)}, ${rates(median.value, median.time)}` +
      `${same ? '' : '; THE STATE COUNTS DIFFER FROM THE FIRST RUN'}`,
  );
  return time;
}

/** `check --threads any` on one variant: the view search and the replay of each violation (the target: linux/default under 60 s). */
function benchAnyThreads(config: ExploreConfig): void {
  const { value: r, time } = timed(() => checkVariantAnyThreads('linux', config));
  const violated = Object.values(r.cells).filter((c) => c.verdict === 'violated').length;
  line(
    `any threads${everyProcessCount(config.maxProcesses) ? ' and processes' : ''} linux/${config.name}: ${r.search.stats.states} views, ${r.search.configurations} configurations, ${r.search.stats.transitions} transitions (${r.search.fromTable} answered by the step table), ` +
      `cutoff ${r.search.cutoff}, ${violated} violations replayed, ${seconds(time)}, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`,
  );
}

function benchXstateGraph(config: ExploreConfig, explorer: Timing, modes: readonly boolean[]): void {
  for (const memoise of modes) {
    const { value: keys, time } = timed(() => adjacencyStateKeys(modelFor('linux', undefined, { ...modelOptionsFor(config), memoise }), config));
    line(
      `xstate/graph linux/${config.name} (${memoise ? "explorer's memoised step function" : "xstate's transition() every step"}): ` +
        `${keys.size} states, ${seconds(time)}; explorer is ${speedup(time.cpu, explorer.cpu)} (cpu), ${speedup(time.wall, explorer.wall)} (wall)`,
    );
  }
}

/** The generated suite and the litmus corpus on this machine's kernel: scenarios and steps per second. */
function benchKernel(): void {
  let host;
  try {
    host = measureHost();
  } catch (e) {
    if (!(e instanceof KernelUnavailableError)) throw e;
    line(`kernel     not run: ${e.message}`);
    return;
  }
  const platform = profileFromMeasurement(host);
  const cases = [...generatedCases(), ...litmusCases()];
  const { value: results, time } = timed(() => cases.map((c) => runCase(c, platform, host, { stepTimeoutMs: 2000 })));
  const steps = results.reduce((n, r) => n + r.compared, 0);
  const agree = results.filter((r) => r.status === 'agree').length;
  line(
    `kernel     ${host.kernel} on ${host.cpu} (AMX ${host.amxUsable ? 'usable' : 'not usable'}): ${results.length} scenarios, ${steps} steps on the kernel, ` +
      `${agree} agree, ${seconds(time)}, ${(results.length / time.wall).toFixed(1)} scenarios/s, ${Math.round(steps / time.wall)} steps/s`,
  );
}

/** simulate on 10^4 and 10^5 simple steps, built in memory: the cost per step, and whether it stays flat. */
function benchSimulate(): void {
  for (const count of [10_000, 100_000]) {
    const scenario = simpleScenario(count);
    const { value: run, time } = timed(() => simulate(scenario, modelFor('linux')));
    line(
      `simulate   linux: ${count} steps (GET_PERM and GET_SUPP alternating on one task), ${run.observations.length} observations, ${seconds(time)}, ` +
        `${Math.round(count / time.cpu)} steps/cpu-s, ${((1e6 * time.cpu) / count).toFixed(1)} us/step (cpu)`,
    );
  }
}

/**
 * The memory in use after a full collection (the heap and the typed arrays, as --max-memory counts
 * it), when node runs with --expose-gc (npm run bench does); else undefined.
 */
function collectedMemory(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return undefined;
  gc();
  return memoryInUse();
}

/** Each point of the series stops at this many CPU seconds of search (the machine may be shared), or this much memory (heap and typed arrays). */
const SERIES_CPU_SECONDS = 60;
const SERIES_MEMORY_BYTES = 3 * 2 ** 30;

/**
 * One search of the series with every property, and its bytes per state: the memory after a full
 * collection, less the memory before the search, per state found, sampled whenever the states found
 * have doubled since the last sample (the last sample is printed), so the samples cost little.
 */
function benchPoint(label: string, config: ExploreConfig): void {
  const base = collectedMemory();
  let sampledAt = 0;
  let bytesPerState: number | undefined;
  let sampling: Timing = { wall: 0, cpu: 0 };
  const onProgress = (states: number) => {
    if (base === undefined || states < 2 * sampledAt || states < 4096) return;
    sampledAt = states;
    const { value: memory, time: spent } = timed(collectedMemory);
    sampling = { wall: sampling.wall + spent.wall, cpu: sampling.cpu + spent.cpu };
    bytesPerState = ((memory ?? base) - base) / states;
  };
  const { value: r, time: withSampling } = timed((): ExploreResult =>
    explore(searchModel('linux', DEFAULT_PLATFORM, config), config, { properties: PROPERTIES, maxCpuSeconds: SERIES_CPU_SECONDS, maxMemoryBytes: SERIES_MEMORY_BYTES, onProgress }),
  );
  // The collections that sample the memory are not the search's: their time is left out.
  const time = { wall: withSampling.wall - sampling.wall, cpu: withSampling.cpu - sampling.cpu };
  const s = r.stats;
  const bound = s.stoppedBy === 'max-cpu-seconds' ? `the budget of ${SERIES_CPU_SECONDS} CPU seconds` : `the ${SERIES_MEMORY_BYTES / 2 ** 30} GiB memory bound`;
  const bytes = base === undefined ? 'bytes/state not measured (run node with --expose-gc)' : bytesPerState === undefined ? 'bytes/state not sampled (under 4096 states)' : `${Math.round(bytesPerState)} bytes/state`;
  line(
    `series     linux ${label}: ${s.complete ? '' : `stopped at ${s.states} states by ${bound}: `}${s.states} states, ${s.transitions} transitions, ${PROPERTIES.length} properties, ` +
      `${seconds(time)}, ${Math.round(s.states / time.cpu)} states/cpu-s, ${Math.round(s.transitions / time.cpu)} transitions/cpu-s, ${bytes}`,
  );
}

/**
 * Core ops from 1x1 to 1x5 threads; 2x2 to 2x4 add fork (core ops alone never make a second process);
 * then the same with any number of processes, by units (`check --processes any`).
 */
const SERIES: readonly { readonly label: string; readonly config: () => ExploreConfig }[] = [
  ...[1, 2, 3, 4, 5].map((threads) => ({ label: `1x${threads} core ops`, config: () => boundedConfig(CONFIGS['default']!, { processes: 1, threads }) })),
  ...[2, 3, 4].map((threads) => ({ label: `2x${threads} core ops and FORK`, config: () => boundedConfig(CONFIGS['forks']!, { processes: 2, threads }) })),
  ...[2, 3].map((threads) => ({ label: `any x ${threads} core ops and FORK, by units`, config: () => anyProcessesByUnits(threads) })),
];

/** Core ops and FORK, any number of processes of `threads` threads: the search by units. */
function anyProcessesByUnits(threads: number): ExploreConfig {
  return boundedConfig(CONFIGS['forks']!, { processes: Number.POSITIVE_INFINITY, threads });
}

/** This script in a process of its own, with node's `flags` and `args` (a point's argument): its standard output and exit status. */
function thisScriptApart(flags: readonly string[], args: readonly string[]): { readonly stdout: string; readonly status: number | null; readonly signal: NodeJS.Signals | null } {
  return spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The argument that makes this script run one point of the series (by its index) and nothing else. */
const SERIES_POINT = '--series-point';

/**
 * Each point in a process of its own, as `check` runs a search: one that has run the benchmarks
 * before it is slower (its JIT has seen other shapes; its heap is larger), by a third on 1x3.
 */
function benchSeries(): void {
  SERIES.forEach((_point, i) => {
    const r = thisScriptApart(['--expose-gc', SEARCH_NODE_FLAG], [SERIES_POINT, String(i)]);
    process.stdout.write(r.stdout);
    if (r.status !== 0) line(`series     ${SERIES[i]!.label}: the child process ended with ${r.status ?? r.signal}`);
  });
}

/** The states the profile of where the time goes looks at. */
const PROFILE_STATES = 300_000;

/**
 * Where the search's time goes, on core ops with one process of three threads (its first
 * PROFILE_STATES states): the model's step function (SystemModel.next, and replayEntry, by which the
 * search replays a step the step table holds, on the transitions the table does not answer without
 * a step), timed per op, against the rest of the search (canonical keys, the table of seen states,
 * the properties, the candidate steps, the table's answers).
 */
function benchWhereTimeGoes(): void {
  const model = modelFor('linux');
  const byOp = new Map<string, { steps: number; ms: number }>();
  // next() replays an entry through replayEntry: only the outer call is timed.
  let depth = 0;
  const timedStep = <A extends unknown[], R>(step: (...args: A) => R, op: (...args: A) => string) => (...args: A): R => {
    if (depth > 0) return step(...args);
    depth++;
    const started = performance.now();
    try {
      return step(...args);
    } finally {
      depth--;
      const key = op(...args);
      const spent = byOp.get(key) ?? { steps: 0, ms: 0 };
      spent.steps++;
      spent.ms += performance.now() - started;
      byOp.set(key, spent);
    }
  };
  model.next = timedStep(model.next.bind(model), (_state, s) => s.op);
  model.replayEntry = timedStep(model.replayEntry.bind(model), (_row, s) => s.op);
  const config = boundedConfig(CONFIGS['default']!, { processes: 1, threads: 3 });
  const { value: r, time } = timed(() => explore(model, config, { properties: PROPERTIES, maxStates: PROFILE_STATES }));
  const inModel = [...byOp.values()].reduce((sum, o) => sum + o.ms, 0) / 1000;
  const ops = [...byOp].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
  const per = ops.map(([op, o]) => `${op} ${(o.ms / 1000).toFixed(2)} s for ${o.steps} steps (${((1000 * o.ms) / o.steps).toFixed(2)} us each)`).join(', ');
  line(
    `profile    linux 1x3 core ops, first ${r.stats.states} states, ${r.stats.transitions} transitions (${r.fromTable} answered by the step table without a step), ${seconds(time)}: ` +
      `the model's step function on the others ${inModel.toFixed(2)} s (${Math.round((100 * inModel) / time.wall)}%; most: ${per}), ` +
      `the rest of the search (keys, seen states, properties, candidates, the table's answers) ${(time.wall - inModel).toFixed(2)} s`,
  );
}

/** `amxstate` with these arguments, as a child process, timed from outside as a user would, start-up included: what it printed, its exit, its wall seconds. */
function timedCli(args: readonly string[]): { readonly stdout: string; readonly status: number | null; readonly signal: NodeJS.Signals | null; readonly took: number } {
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const wall = performance.now();
  const r = spawnSync(process.execPath, [SEARCH_NODE_FLAG, main, ...args], { encoding: 'utf8' });
  return { stdout: r.stdout, status: r.status, signal: r.signal, took: (performance.now() - wall) / 1000 };
}

/** What `npm start` runs (`amxstate check`). */
function benchStart(): void {
  const r = timedCli(['check', '--quiet']);
  const took = r.took;
  const verdicts = r.status === 0 ? 'every verdict matches the manifest' : `exit ${r.status ?? r.signal}`;
  line(`npm start  check, default preset, ${ALL_VARIANTS.length} variants, ${defaultJobs(ALL_VARIANTS.length)} at once: ${took.toFixed(2)} s of wall time (target: under 10 s), ${verdicts}`);
}

/** Issue 13's bounded targets answered through views, each timed as npm start is: its label, its `check` arguments, its target in seconds. */
const THROUGH_VIEWS: readonly { readonly label: string; readonly args: readonly string[]; readonly target: number }[] = [
  { label: '1x4 views  check --variant linux --threads 4 --reduction views', args: ['--threads', '4'], target: 30 },
  { label: '2x3 views  check --variant linux --config forks --processes 2 --threads 3 --reduction views', args: ['--config', 'forks', '--processes', '2', '--threads', '3'], target: 60 },
];

function benchThroughViews(): void {
  for (const { label, args, target } of THROUGH_VIEWS) {
    const r = timedCli(['check', '--variant', 'linux', ...args, '--reduction', 'views', '--json', '--quiet']);
    if (r.status !== 0) {
      line(`${label}: exit ${r.status ?? r.signal}`);
      continue;
    }
    const out = JSON.parse(r.stdout) as { variants: Record<string, Record<string, { verdict: string }>>; stats: Record<string, { states: number; views?: { views: number } }> };
    const verdicts = Object.values(out.variants['linux'] ?? {});
    const violated = verdicts.filter((c) => c.verdict === 'violated').length;
    const stats = out.stats['linux'];
    line(`${label}: ${r.took.toFixed(2)} s of wall time (target: under ${target} s), ${stats?.views?.views} views, then ${stats?.states} states of the bounded search, ${verdicts.length} verdicts, ${violated} violated`);
  }
}

/** The argument that makes this script run the young generation's search and print its CPU seconds. */
const YOUNG_GENERATION_POINT = '--young-generation-point';
const YOUNG_GENERATION_STATES = 300_000;

/** The search the young generation's size matters most to: any x 3 by units, which forks from every state. */
function youngGenerationSearch(): void {
  const { value: r, time } = timed(() => explore(modelFor('linux'), anyProcessesByUnits(3), { properties: PROPERTIES, maxStates: YOUNG_GENERATION_STATES }));
  line(`${r.stats.states} ${r.stats.transitions} ${time.cpu}`);
}

/**
 * That search with node's default young generation and with a searching thread's, each in a process
 * of its own: a process's young generation is fixed when it starts.
 */
function benchYoungGeneration(): void {
  const runs = [[], [SEARCH_NODE_FLAG]].map((flags) => {
    const r = thisScriptApart(flags, [YOUNG_GENERATION_POINT]);
    const [states, transitions, cpu] = r.stdout.trim().split(' ').map(Number);
    return r.status === 0 && cpu !== undefined ? { states, transitions, cpu } : undefined;
  });
  const [node, search] = runs;
  const label = `heap       linux any x 3 core ops and FORK, by units, first ${YOUNG_GENERATION_STATES} states`;
  if (node === undefined || search === undefined || node.states !== search.states || node.transitions !== search.transitions) {
    line(`${label}: a child process failed, or the two searches differ`);
    return;
  }
  line(
    `${label} (${search.transitions} transitions): node's default young generation cpu ${node.cpu.toFixed(2)} s, ` +
      `${SEARCH_NODE_FLAG} (a searching thread's) cpu ${search.cpu.toFixed(2)} s (${(search.cpu / node.cpu).toFixed(2)} of it)`,
  );
}

if (process.argv[2] === YOUNG_GENERATION_POINT) youngGenerationSearch();
else if (process.argv[2] === SERIES_POINT) {
  const point = SERIES[Number(process.argv[3])];
  if (point === undefined) {
    process.stderr.write(`bench: ${SERIES_POINT} takes a number from 0 to ${SERIES.length - 1}\n`);
    process.exitCode = 2;
  } else benchPoint(point.label, point.config());
} else runAll();

function runAll(): void {
  benchStart();
  benchThroughViews();
  benchKernel();
  benchSimulate();
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['default', 'large'];
  // Without the memo tables xstate/graph needs minutes on default; on large many more.
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
    // One process of any number of threads; with two processes (large, forks) the views multiply,
    // unless each unit of processes is searched apart: any number of processes and of threads.
    if (config.maxProcesses === 1) benchAnyThreads(config);
    else benchAnyThreads(boundedConfig(config, { processes: Number.POSITIVE_INFINITY }));
    if (!unmemoisedBaseline.has(name)) line(`xstate/graph linux/${name} with xstate's transition() every step: not run (minutes; see default)`);
  }
  benchWhereTimeGoes();
  benchYoungGeneration();
  benchSeries();
}

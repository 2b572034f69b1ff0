// `amxstate check --threads any`: verdicts for every number of threads per process, from the view
// abstraction (src/check/counter-check.ts), each violation replayed with a concrete thread count.

import type { VariantName } from '../../machines/variants.js';
import { DEFAULT_PLATFORM, type PlatformProfile } from '../../machines/platform.js';
import { anyThreadsWords, replayMaxThreads, type AnyThreadsCheck } from '../check/counter-check.js';
import { checkVariantsAnyThreads, type SearchBounds } from '../check/pool.js';
import { boundOption, heapLimitAdvice, VACUOUS_MEANING, viewsStatsOf, type ViewsStats } from '../check/check.js';
import type { ExploreConfig } from '../explore/config.js';
import { DEFAULT_CUTOFF } from '../explore/counter.js';
import { everyProcessCount } from '../explore/units.js';
import { PROPERTIES } from '../properties/catalogue.js';
import { EXIT } from './exit.js';
import { formatSeconds, withProgress } from './progress.js';

export interface AnyThreadsRequest {
  readonly config: ExploreConfig;
  readonly variants: readonly VariantName[];
  /** Searches at once (check's --jobs), in the order of byCost. */
  readonly jobs: number;
  readonly byCost: readonly VariantName[];
  readonly platform: PlatformProfile;
  /** --max-states and --max-memory (--reduction por is refused before: the view search takes every step). */
  readonly bounds: SearchBounds;
  readonly json: boolean;
  readonly counterexamples: boolean;
  readonly timings: boolean;
  readonly quiet: boolean | undefined;
}

/** The configuration's description with its thread bound replaced by "any number of threads". */
export function anyThreadsDescription(config: ExploreConfig): string {
  return config.description.replace(/ x \d+ threads?,/, ' x any number of threads,');
}

function renderMatrix(results: readonly AnyThreadsCheck[]): string {
  const head = ['property', ...results.map((r) => r.variant)];
  const rows = PROPERTIES.map((p) => [p.name, ...results.map((r) => anyThreadsWords(r.cells[p.name]))]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A view search's line of statistics: views, configurations, transitions (this command's, and a check through views'). */
export function viewsLine(variant: string, v: ViewsStats, timings: boolean): string {
  return (
    `${variant.padEnd(24)} ${String(v.views).padStart(8)} views ${String(v.configurations).padStart(8)} configurations ${String(v.transitions).padStart(9)} transitions` +
    (timings ? `  ${v.seconds.toFixed(2)} s` : '') +
    (v.complete ? '' : `  (stopped at ${boundOption(v)})`)
  );
}

function statsLine(r: AnyThreadsCheck, timings: boolean): string {
  return viewsLine(r.variant, viewsStatsOf(r.search), timings);
}

function renderCounterexamples(results: readonly AnyThreadsCheck[]): string {
  return results
    .flatMap((r) =>
      Object.entries(r.cells).flatMap(([name, c]) => {
        if (c.verdict !== 'violated') return [];
        const steps = c.counterexample.steps.map(({ note, ...step }, i) => `  ${String(i + 1).padStart(2)}. ${JSON.stringify(step)}${note !== undefined ? '   <- first bad step' : ''}`);
        return [`${r.variant}: ${name} violated in ${steps.length} step${steps.length === 1 ? '' : 's'} with ${c.threads} thread${c.threads === 1 ? '' : 's'}`, ...steps];
      }),
    )
    .join('\n');
}

export async function runAnyThreads(q: AnyThreadsRequest): Promise<number> {
  const results = await withProgress('check', q.quiet, (progress) =>
    checkVariantsAnyThreads(q.variants, q.config, {
      platform: q.platform,
      bounds: q.bounds,
      jobs: q.jobs,
      byCost: q.byCost,
      onProgress: (v, views, depth) => progress.explorer(v, 'views')(views, depth),
      onDone: (r) => {
        const s = r.search.stats;
        progress.done(`${r.variant}: ${s.complete ? '' : `stopped at ${boundOption(s)} after `}${s.states} views, ${r.search.configurations} configurations, ${s.transitions} transitions in ${formatSeconds(s.seconds * 1000)}`);
      },
    }),
  );
  const unknown = results.some((r) => Object.values(r.cells).some((c) => c.verdict === 'unknown'));
  const cutoff = results[0]?.search.cutoff ?? DEFAULT_CUTOFF;
  const byUnits = everyProcessCount(q.config.maxProcesses);
  const coverage =
    `Verdicts for every number of threads per process${byUnits ? ' and every number of processes' : ''}: the view abstraction with cutoff ${cutoff} ` +
    `(views of each process's group leader and up to ${cutoff} other thread${cutoff === 1 ? '' : 's'}, configurations of the leader and ${cutoff + 1}); ` +
    (byUnits ? 'over units of processes (one process, or a vfork parent and its child), each searched apart (docs/checking.md#every-process-count); ' : '') +
    `each violation replayed with 1 to ${replayMaxThreads(cutoff)} concrete threads (docs/checking.md#every-thread-count).`;
  if (q.json) {
    const out = {
      config: q.config.name,
      threads: 'any',
      ...(byUnits ? { processes: 'any' } : {}),
      cutoff,
      ...(q.platform === DEFAULT_PLATFORM ? {} : { platform: q.platform.name }),
      variants: Object.fromEntries(results.map((r) => [r.variant, r.cells])),
      stats: Object.fromEntries(
        results.map((r) => {
          const { seconds, statesPerSecond: _rate, states, ...rest } = r.search.stats;
          return [r.variant, { views: states, configurations: r.search.configurations, ...rest, ...(q.timings ? { seconds } : {}) }];
        }),
      ),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    const unjudged = results.flatMap((r) => Object.entries(r.cells).filter(([, c]) => c.verdict === 'not judged'));
    const lines = [
      `amxstate check: configuration "${q.config.name}": ${anyThreadsDescription(q.config)}`,
      ...(q.platform === DEFAULT_PLATFORM ? [] : [`platform ${q.platform.name}: ${q.platform.description}`]),
      coverage,
      '',
      renderMatrix(results),
      ...(results.some((r) => Object.values(r.cells).some((c) => c.verdict === 'holds' && c.vacuous === true)) ? [`holds* = vacuously: ${VACUOUS_MEANING}`] : []),
      'violated (S, N) = a counterexample of S steps with N threads, replayed concretely',
      ...(unjudged.length > 0 && unjudged[0]![1].verdict === 'not judged' ? [`not judged = ${unjudged[0]![1].why}`] : []),
      ...(unknown ? ['unknown = not proven for every thread count: see --json for why'] : []),
      '',
      ...results.map((r) => statsLine(r, q.timings)),
    ];
    if (q.counterexamples) lines.push('', renderCounterexamples(results));
    lines.push('', 'machines/manifest.json records bounded presets only: nothing to compare these verdicts with.');
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (results.some((r) => r.search.stats.stoppedBy === 'heap-limit')) process.stderr.write(`amxstate: ${heapLimitAdvice()}\n`);
  return unknown ? EXIT.incomplete : EXIT.ok;
}

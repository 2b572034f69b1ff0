// What `amxstate report` shows, gathered into one value: the verdict matrix held against the manifest,
// the charts as SVG, every counterexample replayed, and the coverage and conformance evidence it is
// given. Everything here follows from the model, the configuration and the inputs: no clock, no host.

import { DEFAULT_PLATFORM, type PlatformProfile } from '../../machines/platform.js';
import type { RecordedRun } from '../conform/record.js';
import { buildVariants, type VariantName } from '../../machines/variants.js';
import {
  ALL_VARIANTS,
  compareWithManifest,
  hasManifestEntry,
  loadManifest,
  shownCell,
  type Manifest,
  type Mismatch,
  type ShownCell,
} from '../check/check.js';
import { chartGraph } from '../model/chart-graph.js';
import { toDot } from '../diagram/dot.js';
import { renderSvg } from '../diagram/render.js';
import { sequenceMermaid, sequenceSvg } from '../diagram/sequence.js';
import { systemDot } from '../diagram/system.js';
import { variantMarks, type ChartName } from '../diagram/variant-diff.js';
import type { ExploreConfig } from '../explore/config.js';
import type { ExploreStats } from '../explore/explore.js';
import type { Observation } from '../model/observation.js';
import { checkVariants } from '../check/pool.js';
import { PROPERTIES, propertyByName } from '../properties/catalogue.js';
import { toScenario, type ScenarioFile } from '../scenario/format.js';
import { modelFor, simulate } from '../simulate/simulate.js';

/**
 * One coverage picture, as src/report/coverage-figures.ts makes it: an SVG (a chart with covered and
 * uncovered marks, from renderSvg) and one paragraph of plain text saying what it counts.
 */
export interface CoverageFigure {
  readonly svg: string;
  readonly summary: string;
}

/** What the report says about running the scenarios on a real kernel. */
export interface ConformanceInput {
  /**
   * Whether the machine that generated the report lists `amx_tile` in /proc/cpuinfo (null: could not
   * tell). The command line reads it, so that the renderer stays a function of its input.
   */
  readonly hostHasAmxTile: boolean | null;
  /** The runs recorded under docs/conformance/ (amxstate conform --record), oldest first. */
  readonly runs?: readonly RecordedRun[];
}

export interface ReportInput {
  readonly config: ExploreConfig;
  /** Absent: the report says that no coverage data was given. */
  readonly coverage?: readonly CoverageFigure[];
  /** Absent: the report says that no conformance run is recorded and nothing about the host. */
  readonly conformance?: ConformanceInput;
  /** machines/manifest.json unless given. */
  readonly manifest?: Manifest;
  /** The modelled machine; spr-linux-6.18 (DEFAULT_PLATFORM) unless given. */
  readonly platform?: PlatformProfile;
  /** Called as the checker goes, for a progress line; never changes the report. */
  readonly onProgress?: (variant: VariantName, states: number, depth: number) => void;
  /** Called when the checker is done with a variant, for a progress line; never changes the report. */
  readonly onVariantChecked?: (variant: VariantName, stats: ExploreStats) => void;
  /** Variants searched at once, on worker threads (src/check/pool.ts); 1, in this thread, unless given. */
  readonly jobs?: number;
}

/** A cell of the verdict matrix, with what the manifest expects there. */
export interface MatrixCell extends ShownCell {
  /** The id of the counterexample's section, for a violated cell. */
  readonly anchor?: string;
  /** Null when the cell agrees with machines/manifest.json; else what the manifest expects. */
  readonly expected: string | null;
}

/** Statistics that do not depend on the machine or the moment: no timings. */
export interface SearchStats {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly complete: boolean;
}

export interface VariantColumn {
  readonly variant: VariantName;
  /** One sentence: what the variant changes against linux. */
  readonly changes: string;
  readonly stats: SearchStats;
  /** The distinct-state count the manifest records for this configuration, if it records one. */
  readonly expectedStates: number | null;
  /** By property name. */
  readonly cells: Readonly<Record<string, MatrixCell>>;
}

export interface PropertySummary {
  readonly name: string;
  readonly claim: string;
  readonly source: string;
}

export interface Figure {
  /** The figure's id in the page; also the prefix of the ids inside its SVG. */
  readonly id: string;
  readonly caption: string;
  readonly svg: string;
}

export interface CounterexampleView {
  readonly anchor: string;
  readonly variant: VariantName;
  readonly property: PropertySummary;
  /** As `check --json` prints it: `simulate` replays it as it is. */
  readonly scenario: ScenarioFile;
  readonly observations: readonly Observation[];
  /** 1-based: the step at which the property first breaks (the last one). */
  readonly firstBadStep: number;
  readonly sequenceSvg: string;
  readonly sequenceMermaid: string;
}

export interface ReportData {
  readonly config: ExploreConfig;
  readonly platform: PlatformProfile;
  /** Whether machines/manifest.json records this platform and configuration; if not, nothing was compared. */
  readonly manifestEntry: boolean;
  readonly properties: readonly PropertySummary[];
  readonly variants: readonly VariantColumn[];
  /** Everything compareWithManifest() found, state counts included. */
  readonly mismatches: readonly Mismatch[];
  readonly diagrams: readonly Figure[];
  readonly counterexamples: readonly CounterexampleView[];
  readonly coverage: readonly CoverageFigure[] | null;
  readonly conformance: ConformanceInput | null;
}

/** The id of a counterexample's section: the matrix links its `violated` cells here. */
export function counterexampleAnchor(variant: VariantName, property: string): string {
  return `cx-${variant}--${property}`;
}

function summary(name: string): PropertySummary {
  const p = propertyByName(name);
  return { name, claim: p?.claim ?? '', source: p?.source ?? '' };
}

function marked(n: number): string {
  return n === 1 ? '1 state or transition' : `${n} states and transitions`;
}

async function chartFigure(variant: VariantName, chart: ChartName): Promise<Figure> {
  const v = buildVariants(DEFAULT_PLATFORM)[variant];
  const marks = variant === 'linux' ? undefined : variantMarks(v, chart);
  const dot = toDot(chartGraph(v[chart]), {
    title: `${chart} chart, variant ${variant}`,
    ...(marks ? { marks, legend: { changed: 'changed against linux' } } : {}),
  });
  const what = chart === 'task' ? 'The task chart (one thread)' : 'The process chart (one thread group)';
  const caption =
    variant === 'linux'
      ? `${what}, variant linux: the design merged in 5.16, as measured on 6.18.`
      : `${what}, variant ${variant}: what it changes against linux is bold orange (${marked(marks?.size ?? 0)}). ${v.changes}`;
  return { id: `fig-${variant}-${chart}`, caption, svg: await renderSvg(dot) };
}

/** The linux charts and the composition first, then each other variant's charts where it changes them. */
async function diagrams(): Promise<Figure[]> {
  const figures = [
    await chartFigure('linux', 'task'),
    await chartFigure('linux', 'process'),
    {
      id: 'fig-system',
      caption: 'How the system composes the charts: which chart each step reaches, and what crosses between threads, processes and memory. The same for every variant.',
      svg: await renderSvg(systemDot()),
    },
  ];
  const variants = buildVariants(DEFAULT_PLATFORM);
  for (const name of ALL_VARIANTS) {
    if (name === 'linux') continue;
    figures.push(await chartFigure(name, 'task'));
    if (variantMarks(variants[name], 'process').size > 0) figures.push(await chartFigure(name, 'process'));
  }
  return figures;
}

function counterexampleView(variant: VariantName, property: string, scenario: ScenarioFile, platform: PlatformProfile): CounterexampleView {
  const parsed = toScenario(scenario);
  const { observations } = simulate(parsed, modelFor(parsed.variant, platform));
  return {
    anchor: counterexampleAnchor(variant, property),
    variant,
    property: summary(property),
    scenario,
    observations,
    firstBadStep: scenario.steps.length,
    sequenceSvg: sequenceSvg(parsed, observations),
    sequenceMermaid: sequenceMermaid(parsed, observations),
  };
}

/** Runs the checker on every variant under the configuration and gathers everything the page shows. */
export async function gatherReport(input: ReportInput): Promise<ReportData> {
  const { config } = input;
  const manifest = input.manifest ?? loadManifest();
  const platform = input.platform ?? DEFAULT_PLATFORM;
  const variants = buildVariants(platform);
  const results = await checkVariants(ALL_VARIANTS, config, {
    platform,
    ...(input.jobs !== undefined ? { jobs: input.jobs } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    onDone: (r) => input.onVariantChecked?.(r.variant, r.stats),
  });
  const manifestEntry = hasManifestEntry(manifest, config.name, platform.name);
  const mismatches = manifestEntry ? compareWithManifest(results, manifest, config.name, platform.name) : [];
  const expectedFor = (variant: VariantName, what: string) => mismatches.find((m) => m.variant === variant && m.what === what)?.expected ?? null;
  const columns = results.map((r): VariantColumn => {
    const cells: Record<string, MatrixCell> = {};
    for (const p of PROPERTIES) {
      const c = r.cells[p.name];
      if (!c) continue;
      cells[p.name] = {
        ...shownCell(c, r.stats.complete),
        ...(c.counterexample ? { anchor: counterexampleAnchor(r.variant, p.name) } : {}),
        expected: expectedFor(r.variant, p.name),
      };
    }
    const { states, transitions, depth, complete } = r.stats;
    return {
      variant: r.variant,
      changes: variants[r.variant].changes,
      stats: { states, transitions, depth, complete },
      expectedStates:
        (platform === DEFAULT_PLATFORM ? manifest.configs[config.name] : manifest.platforms?.[platform.name]?.[config.name])?.states[r.variant] ?? null,
      cells,
    };
  });
  const counterexamples = results.flatMap((r) =>
    PROPERTIES.flatMap((p) => {
      const cx = r.cells[p.name]?.counterexample;
      return cx ? [counterexampleView(r.variant, p.name, cx, platform)] : [];
    }),
  );
  return {
    config,
    platform,
    manifestEntry,
    properties: PROPERTIES.map((p) => summary(p.name)),
    variants: columns,
    mismatches,
    diagrams: await diagrams(),
    counterexamples,
    coverage: input.coverage ?? null,
    conformance: input.conformance ?? null,
  };
}

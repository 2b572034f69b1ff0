// The verdict matrix: every property on every variant under one configuration, held against the
// expected verdicts written down in machines/manifest.json.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../files.js';
import { VARIANT_NAMES, type VariantName } from '../../machines/variants.js';
import { DEFAULT_PLATFORM, PLATFORMS, type PlatformProfile } from '../../machines/platform.js';
import { explore, type ExploreStats, type Violation } from '../explore/explore.js';
import type { ExploreConfig } from '../explore/config.js';
import { PROPERTIES, vacuousUnder, type Property } from '../properties/catalogue.js';
import { modelFor } from '../simulate/simulate.js';
import { stepToJson, type StepValue } from '../scenario/format.js';

export type Verdict = 'holds' | 'violated';

type VerdictTable = Readonly<Record<VariantName, Readonly<Record<string, Verdict>>>>;

export interface ManifestConfig {
  readonly states: Readonly<Partial<Record<VariantName, number>>>;
  /** Cells where this configuration is expected to differ from the top-level verdicts, and why. */
  readonly verdicts?: Partial<Record<VariantName, Readonly<Record<string, Verdict>>>>;
  readonly $why?: string;
}

export interface Manifest {
  readonly $comment?: string;
  readonly configs: Readonly<Record<string, ManifestConfig>>;
  /** The verdicts on the default configuration; other configurations differ only where they say so. */
  readonly verdicts: VerdictTable;
  /**
   * Platforms other than the default one (spr-linux-6.18), by profile name and configuration: their
   * state counts, and the cells where their verdicts differ from the default platform's, and why.
   */
  readonly platforms?: Readonly<Record<string, Readonly<Record<string, ManifestConfig>>>>;
}

export interface CounterexampleScenario {
  readonly variant: VariantName;
  /** The platform, when it is a named one other than the default: `simulate` replays it there. */
  readonly platform?: string;
  readonly header: { id: string; question: string; expected: string; source: string };
  readonly steps: readonly Record<string, StepValue>[];
}

export interface Cell {
  readonly verdict: Verdict;
  /** Holds only because the configuration offers none of the ops that could break it. */
  readonly vacuous?: true;
  readonly counterexample?: CounterexampleScenario;
}

export interface VariantCheck {
  readonly variant: VariantName;
  /** The name of the platform profile the model ran on. */
  readonly platform: string;
  readonly stats: ExploreStats;
  readonly cells: Readonly<Record<string, Cell>>;
}

export interface Mismatch {
  readonly variant: VariantName;
  /** A property name, or "states" for the distinct-state count. */
  readonly what: string;
  readonly expected: string;
  readonly found: string;
}

function manifestPath(): string {
  return join(projectRoot(), 'machines', 'manifest.json');
}

export function loadManifest(path = manifestPath()): Manifest {
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

export function counterexample(variant: VariantName, property: Property, v: Violation, platform: PlatformProfile = DEFAULT_PLATFORM): CounterexampleScenario {
  const bad = v.steps.length;
  return {
    variant,
    ...(platform !== DEFAULT_PLATFORM && PLATFORMS[platform.name] === platform ? { platform: platform.name } : {}),
    header: {
      id: `${variant}--${property.name}`,
      question: property.claim,
      expected: `violates ${property.name} at step ${bad}`,
      source: property.source,
    },
    steps: v.steps.map((s, i) => ({ ...stepToJson(s), ...(i === bad - 1 ? { note: `first bad step: ${property.name} is broken here` } : {}) })),
  };
}

export function checkVariant(
  variant: VariantName,
  config: ExploreConfig,
  options: { maxStates?: number; properties?: readonly Property[]; onProgress?: (states: number, depth: number) => void; platform?: PlatformProfile } = {},
): VariantCheck {
  const properties = options.properties ?? PROPERTIES;
  const platform = options.platform ?? DEFAULT_PLATFORM;
  const model = modelFor(variant, platform);
  const r = explore(model, config, { properties, ...options });
  const ops = config.ops.map((o) => o.op).filter((op) => model.hasOp(op));
  const cells: Record<string, Cell> = {};
  for (const p of properties) {
    const v = r.violations.get(p.name);
    cells[p.name] = v
      ? { verdict: 'violated', counterexample: counterexample(variant, p, v, platform) }
      : { verdict: 'holds', ...(vacuousUnder(p, ops) ? { vacuous: true as const } : {}) };
  }
  return { variant, platform: platform.name, stats: r.stats, cells };
}

/** Whether the manifest records this platform under this configuration (the default platform: always). */
export function hasManifestEntry(manifest: Manifest, configName: string, platformName: string = DEFAULT_PLATFORM.name): boolean {
  return platformName === DEFAULT_PLATFORM.name || manifest.platforms?.[platformName]?.[configName] !== undefined;
}

/**
 * Where a run differs from the manifest: verdicts (a cut-off run proves no "holds", so only its
 * violations count) and, for complete runs of a configuration the manifest counts, distinct states.
 * On another platform the manifest's `platforms` entry overrides the cells it lists and gives the
 * state counts; check hasManifestEntry() first, since a platform without an entry has nothing to compare.
 */
export function compareWithManifest(results: readonly VariantCheck[], manifest: Manifest, configName = 'default', platformName: string = DEFAULT_PLATFORM.name): Mismatch[] {
  const config = manifest.configs[configName];
  const onPlatform = platformName === DEFAULT_PLATFORM.name ? undefined : manifest.platforms?.[platformName]?.[configName];
  return results.flatMap((r) => {
    const verdicts = Object.entries(r.cells).flatMap(([property, cell]): Mismatch[] => {
      if (!r.stats.complete && cell.verdict === 'holds') return [];
      // A property the configuration cannot break is expected to hold there, whatever it does elsewhere.
      const expected =
        onPlatform?.verdicts?.[r.variant]?.[property] ??
        config?.verdicts?.[r.variant]?.[property] ??
        (cell.vacuous ? 'holds' : manifest.verdicts[r.variant]?.[property]) ??
        'missing';
      return expected === cell.verdict ? [] : [{ variant: r.variant, what: property, expected, found: cell.verdict }];
    });
    const counted = platformName === DEFAULT_PLATFORM.name ? config?.states[r.variant] : onPlatform?.states[r.variant];
    const states: Mismatch[] =
      r.stats.complete && counted !== undefined && counted !== r.stats.states
        ? [{ variant: r.variant, what: 'states', expected: String(counted), found: String(r.stats.states) }]
        : [];
    return [...verdicts, ...states];
  });
}

export const ALL_VARIANTS: readonly VariantName[] = VARIANT_NAMES;

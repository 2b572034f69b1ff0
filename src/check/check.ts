// The verdict matrix: every property on every variant under one configuration, held against the
// expected verdicts written down in machines/manifest.json.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VARIANT_NAMES, type VariantName } from '../../machines/variants.js';
import { explore, type ExploreStats, type Violation } from '../explore/explore.js';
import type { ExploreConfig } from '../explore/config.js';
import { PROPERTIES, type Property } from '../properties/catalogue.js';
import { modelFor } from '../simulate/simulate.js';
import { stepToJson, type StepValue } from '../scenario/format.js';

export type Verdict = 'holds' | 'violated';

export interface Manifest {
  readonly $comment?: string;
  readonly configs: Readonly<Record<string, { readonly states: Readonly<Partial<Record<VariantName, number>>> }>>;
  readonly verdicts: Readonly<Record<VariantName, Readonly<Record<string, Verdict>>>>;
}

export interface CounterexampleScenario {
  readonly variant: VariantName;
  readonly header: { id: string; question: string; expected: string; source: string };
  readonly steps: readonly Record<string, StepValue>[];
}

export interface Cell {
  readonly verdict: Verdict;
  readonly counterexample?: CounterexampleScenario;
}

export interface VariantCheck {
  readonly variant: VariantName;
  readonly stats: ExploreStats;
  readonly cells: Readonly<Record<string, Cell>>;
}

export interface Mismatch {
  readonly variant: VariantName;
  readonly property: string;
  readonly expected: Verdict | 'missing';
  readonly found: Verdict;
}

/** machines/manifest.json, found from this module whether it runs from src/ (tests) or dist/src/ (the CLI). */
function manifestPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('machines/manifest.json not found above this module');
    dir = up;
  }
  return join(dir, 'machines', 'manifest.json');
}

export function loadManifest(path = manifestPath()): Manifest {
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

export function counterexample(variant: VariantName, property: Property, v: Violation): CounterexampleScenario {
  const bad = v.steps.length;
  return {
    variant,
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
  options: { maxStates?: number; properties?: readonly Property[]; onProgress?: (states: number, depth: number) => void } = {},
): VariantCheck {
  const properties = options.properties ?? PROPERTIES;
  const r = explore(modelFor(variant), config, { properties, ...options });
  const cells: Record<string, Cell> = {};
  for (const p of properties) {
    const v = r.violations.get(p.name);
    cells[p.name] = v ? { verdict: 'violated', counterexample: counterexample(variant, p, v) } : { verdict: 'holds' };
  }
  return { variant, stats: r.stats, cells };
}

export function compareWithManifest(results: readonly VariantCheck[], manifest: Manifest): Mismatch[] {
  return results.flatMap((r) =>
    Object.entries(r.cells).flatMap(([property, cell]) => {
      const expected = manifest.verdicts[r.variant]?.[property] ?? 'missing';
      return expected === cell.verdict ? [] : [{ variant: r.variant, property, expected, found: cell.verdict }];
    }),
  );
}

export const ALL_VARIANTS: readonly VariantName[] = VARIANT_NAMES;

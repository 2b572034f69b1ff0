import { describe, expect, it } from 'vitest';
import { CONFIGS, type ExploreConfig } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import { adjacencyStateKeys } from '../../src/explore/xstate-graph.js';
import { modelFor } from '../../src/simulate/simulate.js';
import type { VariantName } from '../../machines/variants.js';

function explorerStateKeys(variant: VariantName, config: ExploreConfig): Set<string> {
  const keys = new Set<string>();
  const r = explore(modelFor(variant), config, { onState: (key) => keys.add(key) });
  expect(r.stats.complete).toBe(true);
  expect(keys.size).toBe(r.stats.states);
  return keys;
}

describe("the explorer agrees with xstate/graph's getAdjacencyMap", () => {
  it.each([
    ['linux', 'tiny'],
    ['prealloc-at-permission', 'tiny'],
    ['no-xfd', 'tiny'],
    ['prealloc-syscall', 'tiny'],
  ] as const)('%s on %s: the same reachable states', (variant, configName) => {
    const config = CONFIGS[configName]!;
    const mine = explorerStateKeys(variant, config);
    const theirs = adjacencyStateKeys(modelFor(variant), config);
    expect([...theirs].filter((k) => !mine.has(k))).toEqual([]);
    expect([...mine].filter((k) => !theirs.has(k))).toEqual([]);
  });

  it('with xstate running every chart transition itself (no memo tables), on a fork configuration', () => {
    const config: ExploreConfig = { ...CONFIGS['forks']!, name: 'forks-core', ops: CONFIGS['large']!.ops, maxThreadsPerProcess: 1 };
    const mine = explorerStateKeys('linux', config);
    const theirs = adjacencyStateKeys(modelFor('linux', undefined, { memoise: false }), config);
    expect(theirs.size).toBe(mine.size);
    expect([...theirs].every((k) => mine.has(k))).toBe(true);
  });
});

// A property's `needs` is a claim the matrix prints as `holds*`: without one op of each group, the
// configuration cannot break the property. Here it is held to the search: wherever the manifest
// records a property violated on `default`, `default` without the ops of any one of its groups must
// find it holding, to the end of the search.

import { describe, expect, it } from 'vitest';
import { CONFIGS, type ExploreConfig } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';
import { modelFor } from '../../src/simulate/simulate.js';
import { ALL_VARIANTS, loadManifest } from '../../src/check/check.js';

const manifest = loadManifest();

const DEFAULT = CONFIGS['default']!;

/** `default` without the ops of `group`. */
function without(group: readonly string[]): ExploreConfig {
  return { ...DEFAULT, name: `default without ${group.join(', ')}`, ops: DEFAULT.ops.filter((o) => !group.includes(o.op)) };
}

/** Every (variant, property, group) where the manifest says `default` breaks a property that names what it needs. */
const CASES = ALL_VARIANTS.flatMap((variant) =>
  PROPERTIES.filter((p) => p.needs !== undefined && manifest.verdicts[variant][p.name] === 'violated').flatMap((p) =>
    p.needs!.map((group) => ({ variant, property: p, group })),
  ),
);

describe("what a property needs to fail (its 'needs')", () => {
  it('covers properties of several kinds that the manifest records broken on default', () => {
    const names = new Set(CASES.map((c) => c.property.name));
    expect(names.size).toBeGreaterThanOrEqual(4);
    expect(new Set(CASES.map((c) => c.property.kind))).toEqual(new Set(['step', 'state']));
  });

  it.each(CASES.map((c) => [c.variant, c.property.name, c.group.join(', '), c] as const))(
    '%s: %s holds on default without %s',
    (_variant, _name, _group, { variant, property, group }) => {
      // The op really is on default: removing it changes the search.
      expect(DEFAULT.ops.some((o) => group.includes(o.op))).toBe(true);
      const r = explore(modelFor(variant), without(group), { properties: [property] });
      expect(r.stats.complete).toBe(true);
      expect(r.violations.get(property.name)?.steps).toBeUndefined();
    },
  );
});

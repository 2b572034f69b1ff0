import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { CanonicalCodes, canonicalKey } from '../../src/explore/canonical.js';
import { CONFIGS } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import { StateKeySet } from '../../src/explore/key-set.js';
import type { SystemState } from '../../src/model/state.js';
import { modelFor } from '../../src/simulate/simulate.js';

/** Scratch codes holding `codes`, with the given hash (a constant one makes every key collide). */
function holding(codes: readonly number[], hash: number): CanonicalCodes {
  const key = new CanonicalCodes();
  codes.forEach((c, i) => (key.codes[i] = c));
  key.length = codes.length;
  key.hash = hash;
  return key;
}

describe('the table of seen states', () => {
  test.prop([fc.array(fc.array(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: 6 }), { maxLength: 3000 }), fc.boolean()])(
    'finds a key exactly when it was added, under the index it was added with, even when every hash collides',
    (keys, collide) => {
      const set = new StateKeySet();
      const expected = new Map<string, number>();
      for (const codes of keys) {
        // A hash of the codes alone, as a key set needs, colliding often (or always).
        const key = holding(codes, collide ? 7 : codes.reduce((h, c) => (h + c) % 97, codes.length));
        const text = codes.join(',');
        expect(set.find(key)).toBe(expected.get(text) ?? -1);
        if (!expected.has(text)) {
          expected.set(text, set.size);
          expect(set.add(key)).toBe(expected.get(text));
        }
      }
      expect(set.size).toBe(expected.size);
    },
  );

  it.each(['default', 'forks'] as const)('%s: tells states apart exactly as the string keys do', (config) => {
    const model = modelFor('linux');
    const states: [SystemState, number][] = [];
    explore(model, CONFIGS[config]!, { maxStates: 4000, onTransition: (t) => void states.push([t.after, t.step.op === 'EXEC' ? 1 : 0]) });
    const set = new StateKeySet();
    const byText = new Map<string, number>();
    const key = new CanonicalCodes();
    for (const [s, execs] of states) {
      key.write(model, s, execs);
      const text = canonicalKey(model, s, execs);
      expect(key.text()).toBe(text);
      expect(set.find(key)).toBe(byText.get(text) ?? -1);
      if (!byText.has(text)) {
        byText.set(text, set.size);
        set.add(key);
      }
    }
    expect(byText.size).toBeGreaterThan(1000);
    expect(set.bytes).toBeGreaterThan(0);
  });
});

// The litmus corpus: each file's header says, per platform, what the kernel was observed to do
// (observed-linux-6.18.md, observed-no-amx-6.18.md); the model must predict exactly that there.
// `amxstate conform` runs the same files on the machine at hand.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../machines/platform.js';
import { predict } from '../../src/conform/conform.js';
import { parseScenario } from '../../src/scenario/format.js';

const DIR = fileURLToPath(new URL('../../litmus/', import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

interface LitmusHeader {
  readonly id: string;
  readonly source: string;
  readonly results: Readonly<Record<string, readonly Readonly<Record<string, unknown>>[]>>;
}

describe('the litmus corpus', () => {
  it('has a test for every platform profile the project names', () => {
    const platforms = new Set(files.flatMap((f) => Object.keys((JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { header: LitmusHeader }).header.results)));
    expect([...platforms].sort()).toEqual(Object.keys(PLATFORMS).sort());
  });

  for (const file of files) {
    const text = readFileSync(join(DIR, file), 'utf8');
    const scenario = parseScenario(text);
    const header = (JSON.parse(text) as { header: LitmusHeader }).header;
    it(`${file}: names itself and its source`, () => {
      expect(`${header.id}.json`).toBe(file);
      // Where the expected results come from: an observation, the kernel source reference, or this kernel.
      expect(header.source).toMatch(/observed-|linux-amx-semantics\.md/);
    });
    for (const [platform, expected] of Object.entries(header.results)) {
      it(`${file} on ${platform}: the model predicts what the kernel did`, () => {
        const profile = PLATFORMS[platform];
        expect(profile, `unknown platform ${platform}`).toBeDefined();
        const predicted = predict(scenario, profile!);
        for (const e of expected) expect(predicted[(e['step'] as number) - 1], `step ${String(e['step'])}`).toMatchObject(e);
        // A step the header leaves out must not be a fault: the results list every step up to the last.
        expect(expected.map((e) => e['step'])).toEqual(expected.map((_, i) => i + 1));
      });
    }
  }
});

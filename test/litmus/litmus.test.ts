// The litmus corpus: each file's header says, per platform, what the kernel was observed to do
// (observed-linux-6.18.md, observed-no-amx-6.18.md, linux-amx-semantics.md, or a finding measured on
// the kernel); the model must predict exactly that there. The files of a reference document's row
// are run by that document's row tests (test/model/*-rows.test.ts); the others run here.
// `amxstate conform` runs every file on the machine at hand.

import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../machines/platform.js';
import { parseScenario } from '../../src/scenario/format.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LITMUS_DIR, litmusFiles } from '../support/litmus.js';
import { predict } from '../../src/conform/conform.js';
import { toScenario } from '../../src/scenario/format.js';

const files = litmusFiles();

describe('the litmus corpus', () => {
  it('has files for every platform profile the project names, and every file parses as a scenario', () => {
    const platforms = new Set(files.flatMap((f) => Object.keys(f.header.results)));
    expect([...platforms].sort()).toEqual(Object.keys(PLATFORMS).sort());
    for (const f of files) expect(() => parseScenario(readFileSync(join(LITMUS_DIR, f.file), 'utf8')), f.file).not.toThrow();
  });

  it.each(files.map((f) => [f.file, f] as const))('%s names itself, its source and its platforms', (file, f) => {
    expect(`${f.header.id}.json`).toBe(file);
    // Where the expected results come from: an observation, the kernel source reference, or this kernel.
    expect(f.header.source).toMatch(/observed-|linux-amx-semantics\.md/);
    expect(Object.keys(f.header.results).length).toBeGreaterThan(0);
    for (const [platform, r] of Object.entries(f.header.results)) {
      expect(PLATFORMS[platform], `${file}: unknown platform ${platform}`).toBeDefined();
      expect(Array.isArray(r.steps), `${file}: results.${platform}.steps`).toBe(true);
    }
  });

  const findings = files.filter((f) => f.header.row === undefined);
  it.each(findings.flatMap((f) => Object.keys(f.header.results).map((p) => [`${f.file} on ${p}`, f, p] as const)))(
    '%s: the model predicts what the kernel did',
    (_name, f, platform) => {
      // Through conform's prediction, which says `gone` for a step whose task no longer runs, as the
      // executor does: a finding may go on after its process died.
      const predicted = predict(toScenario({ steps: f.steps }), PLATFORMS[platform]!);
      const want = new Map(f.header.results[platform]!.steps.map((e) => [e.step, e]));
      predicted.forEach((o, i) => {
        const e = want.get(i + 1);
        const fields = o as unknown as Record<string, unknown>;
        if (!e) expect({ outcome: o.outcome, fatal: fields['fatal'] ?? null }, `step ${i + 1}: a step without expectation must succeed`).toEqual({ outcome: 'ok', fatal: null });
        else expect(Object.fromEntries(Object.keys(e).map((k) => [k, fields[k] ?? null])), `step ${i + 1}`).toEqual({ ...e });
      });
    },
  );
});

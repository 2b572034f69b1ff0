// sequenceMermaid() and sequenceSvg() on a real counterexample from the checker and on hand-written
// scenarios: one arrow per step, the first bad step marked, text escaped, a non-empty bounding box.

import { describe, expect, it } from 'vitest';
import { checkVariant } from '../../src/check/check.js';
import { CONFIGS } from '../../src/explore/config.js';
import { propertyByName } from '../../src/properties/catalogue.js';
import { toScenario } from '../../src/scenario/format.js';
import { simulate } from '../../src/simulate/simulate.js';
import { sequenceMermaid, sequenceModel, sequenceSvg } from '../../src/diagram/sequence.js';
import { escapeXml } from '../../src/xml.js';
import { mermaidText } from '../../src/diagram/mermaid.js';

// One property keeps the check short; the counterexample has the shape check --json prints.
const cell = checkVariant('linux', CONFIGS['default']!, { properties: [propertyByName('BuffersAreFreedOnExecAndExit')!] }).cells['BuffersAreFreedOnExecAndExit']!;
const counterexample = toScenario(JSON.parse(JSON.stringify(cell.counterexample)));
const { observations } = simulate(counterexample);
const steps = counterexample.steps.length;

const count = (text: string, re: RegExp) => [...text.matchAll(re)].length;

describe('a counterexample as a sequence diagram', () => {
  it('the counterexample has its last step noted as the first bad one', () => {
    expect(cell.verdict).toBe('violated');
    expect(counterexample.steps.at(-1)?.note).toMatch(/^first bad step/);
  });

  it('Mermaid: one call and one reply per step, the last step inside a rect with its note', () => {
    const text = sequenceMermaid(counterexample, observations);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(count(text, /^\s+\w+->>kernel: /gm)).toBe(steps);
    expect(count(text, /^\s+kernel-->>\w+: /gm)).toBe(steps);
    const rect = lines.findIndex((l) => l.trim().startsWith('rect '));
    expect(lines[rect + 1]).toMatch(/Note over t1,kernel: first bad step: BuffersAreFreedOnExecAndExit/);
    expect(lines[rect + 2]).toContain(`${steps}. ${counterexample.steps.at(-1)!.op}`);
    expect(lines.at(-1)!.trim()).toBe('end');
    for (const l of lines.slice(1)) expect(l, l).not.toMatch(/[;#]/);
  });

  it('SVG: one call arrow per step, the last step marked, a real bounding box', () => {
    const svg = sequenceSvg(counterexample, observations);
    expect(svg.startsWith('<svg ')).toBe(true);
    expect(count(svg, /<g class="call" data-step="\d+">/g)).toBe(steps);
    expect(count(svg, /<g class="reply" data-step="\d+">/g)).toBe(steps);
    expect([...svg.matchAll(/<g class="marked" data-step="(\d+)">/g)].map((m) => Number(m[1]))).toEqual([steps]);
    const [, w, h] = /width="(\d+)" height="(\d+)" viewBox="0 0 (\d+) (\d+)"/.exec(svg) ?? [];
    expect(Number(w)).toBeGreaterThan(100);
    expect(Number(h)).toBeGreaterThan(100);
    expect(svg).toContain(`viewBox="0 0 ${w} ${h}"`);
    expect(sequenceSvg(counterexample, observations)).toBe(svg);
  });
});

describe('sequence diagrams of hand-written scenarios', () => {
  const scenario = toScenario({
    header: { id: 'odd <names> & "quotes"' },
    steps: [
      { task: 'a<b&c', op: 'REQ_PERM', feature: 18 },
      { task: 'a<b&c', op: 'CLONE_THREAD', child: 'kernel' },
      { op: 'OOM_BEGIN' },
      { task: 'kernel', op: 'LDTILECFG' },
      { task: 'kernel', op: 'TOUCH' },
    ],
  });
  const obs = simulate(scenario).observations;

  it('an explicit mark wins, and names its label', () => {
    const svg = sequenceSvg(scenario, obs, { step: 2, label: 'diverges from kernel' });
    expect([...svg.matchAll(/<g class="marked" data-step="(\d+)">/g)].map((m) => m[1])).toEqual(['2']);
    expect(svg).toContain('diverges from kernel');
    const text = sequenceMermaid(scenario, obs, { step: 2, label: 'diverges from kernel' });
    expect(text).toMatch(/rect rgb\([^)]*\)\n\s+Note over t1,kernel: diverges from kernel\n\s+t1->>kernel: 2\. CLONE_THREAD child=kernel/);
  });

  it('no note and no mark: nothing is highlighted', () => {
    expect(sequenceSvg(scenario, obs)).not.toContain('class="marked"');
    expect(sequenceMermaid(scenario, obs)).not.toContain('rect ');
  });

  it('a task called "kernel" is a participant of its own, and system steps come from the environment', () => {
    const model = sequenceModel(scenario, obs);
    expect(model.participants).toEqual(['a<b&c', 'kernel', 'environment', 'kernel']);
    const text = sequenceMermaid(scenario, obs);
    expect(text).toContain('participant t2 as kernel');
    expect(text).toContain('environment->>kernel: 3. OOM_BEGIN');
    expect(text).toMatch(/t2->>kernel: 5\. TOUCH\n\s+kernel-->>t2: SIGSEGV \(SI_KERNEL\), fatal/);
  });

  it('escapes XML in every text and attribute', () => {
    const svg = sequenceSvg(scenario, obs);
    expect(svg).toContain(escapeXml('a<b&c'));
    expect(svg).toContain('odd &lt;names&gt; &amp; &quot;quotes&quot;');
    // Outside tags, no raw < or & remains except entities.
    const text = svg.replace(/<[^>]*>/g, '');
    expect(text).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|#39);)/);
    expect(sequenceMermaid(scenario, obs)).toContain(`title ${mermaidText('odd <names> & "quotes"')}`);
  });
});

// The composition picture against the code it describes: every op of machines/kernel-events.ts is on
// it, every chart event a rule claims to send exists in that chart, and both renderings are valid.

import { describe, expect, it } from 'vitest';
import { OP_NAMES } from '../../machines/kernel-events.js';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { buildVariants, VARIANT_NAMES } from '../../machines/variants.js';
import { chartGraph } from '../../src/model/chart-graph.js';
import { renderSvg } from '../../src/diagram/render.js';
import { COMPOSITION_RULES, systemDot, systemMermaid, systemPicture } from '../../src/diagram/system.js';

const variants = buildVariants(DEFAULT_PLATFORM);
/** The events some variant's chart takes: an op only a variant has is sent only there. */
const events = {
  task: new Set(VARIANT_NAMES.flatMap((v) => chartGraph(variants[v].task).transitions.map((t) => t.event))),
  process: new Set(VARIANT_NAMES.flatMap((v) => chartGraph(variants[v].process).transitions.map((t) => t.event))),
};

describe('the system picture', () => {
  it('names every op of the op table on some edge', () => {
    const labels = systemPicture().edges.map((e) => e.label);
    for (const op of OP_NAMES) expect(labels.some((l) => new RegExp(`\\b${op}\\b`).test(l)), op).toBe(true);
  });

  it('rules name only real ops and send only events their chart has', () => {
    for (const r of COMPOSITION_RULES) {
      for (const op of r.ops) expect(OP_NAMES, op).toContain(op);
      for (const s of r.sends) expect(events[s.chart].has(s.event), `${s.chart} ${s.event}`).toBe(true);
    }
  });

  it('DOT renders with viz and names the charts\' regions', async () => {
    const svg = await renderSvg(systemDot());
    expect(svg.startsWith('<svg')).toBe(true);
    for (const region of ['hostPermission', 'sigsegvDisposition', 'buffer', 'signal']) expect(svg).toContain(region);
    expect(systemDot()).toBe(systemDot());
  });

  it('Mermaid is a flowchart with balanced subgraphs and one line per edge', () => {
    const text = systemMermaid();
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines.filter((l) => /^\s+subgraph /.test(l)).length).toBe(lines.filter((l) => /^\s+end$/.test(l)).length);
    expect(lines.filter((l) => /^\s+\w+ (-->|-\.->)\|"[^"#;]*"\| \w+$/.test(l)).length).toBe(systemPicture().edges.length);
    for (const l of lines.slice(1)) expect(l, l).toMatch(/^\s+(\w+\["[^"#;]*"\]|subgraph \w+\["[^"#;]*"\]|end|\w+ (-->|-\.->)\|"[^"#;]*"\| \w+)$/);
  });
});

// toDot() and renderSvg(): every state and transition of both charts is drawn, marks are styled and
// explained by a legend, Graphviz accepts the DOT, and the output is the same bytes every time.

import { describe, expect, it } from 'vitest';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { buildVariants } from '../../machines/variants.js';
import { allStates, chartGraph } from '../../src/model/chart-graph.js';
import { toDot, wrap } from '../../src/diagram/dot.js';
import type { Marks } from '../../src/diagram/marks.js';
import { renderSvg, stripProlog } from '../../src/diagram/render.js';

const variants = buildVariants(DEFAULT_PLATFORM);
const graphs = [chartGraph(variants.linux.task), chartGraph(variants.linux.process)];

/** Graphviz writes `id="..."` attributes into the SVG as they are in the DOT, XML-escaped. */
const svgIds = (svg: string): Set<string> => new Set([...svg.matchAll(/ id="([^"]*)"/g)].map((m) => m[1]!));

describe.each(graphs.map((g) => [g.machine, g] as const))('toDot: the %s chart', (_name, graph) => {
  const dot = toDot(graph);

  it('declares every state, with its key as label', () => {
    for (const s of allStates(graph)) {
      expect(dot, s.id).toContain(`"${s.id}" [id="s:${s.id}"`);
      expect(dot).toContain(s.key);
    }
  });

  it('draws every transition: an edge with its event, or a row inside its state', () => {
    for (const t of graph.transitions) {
      expect(dot, t.id).toMatch(new RegExp(`(id="t:${t.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/\\d+)?"|ID="t:${t.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}")`));
      expect(dot).toContain(t.event);
    }
  });

  it('is deterministic', () => {
    expect(toDot(chartGraph(graph.machine === 'task' ? variants.linux.task : variants.linux.process))).toBe(dot);
  });

  it('renders to SVG with viz: no prolog, every state and transition present by id', async () => {
    const svg = await renderSvg(dot);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).not.toMatch(/<\?xml|<!DOCTYPE/);
    const ids = svgIds(svg);
    for (const s of allStates(graph)) {
      expect(ids.has(`s:${s.id}`), s.id).toBe(true);
      expect(svg).toContain(`>${s.key}<`);
    }
    // Edges keep their id; Graphviz gives a row of a state's table the id `a_` + its ID.
    for (const t of graph.transitions) expect(ids.has(`t:${t.id}`) || ids.has(`a_t:${t.id}`) || ids.has(`t:${t.id}/0`), t.id).toBe(true);
    expect(await renderSvg(dot)).toBe(svg);
  });
});

describe('sources as tooltips', () => {
  const graph = graphs[0]!;
  const dot = toDot(graph);
  const line = (needle: string) => dot.split('\n').find((l) => l.includes(needle)) ?? '';

  it('give an edge, a row and a state the source it cites, beside its id or description', () => {
    expect(line('id="t:task.alive:EXEC:0"')).toContain('tooltip="task.alive:EXEC:0; source: fs/exec.c:begin_new_exec');
    expect(line('"task.alive.signal" [id="s:task.alive.signal"')).toMatch(/TOOLTIP="task\.alive\.signal:SIGNAL:0; source: arch\/x86\/kernel\/signal\.c:get_sigframe/);
    expect(line('[id="s:task.alive.buffer.allocated"')).toContain('tooltip="Large vmalloc buffer with room for XTILEDATA, XFD disarmed: tile instructions run natively. Source: arch/x86/kernel/fpu/xstate.c:fpstate_realloc"');
  });

  it('leave a transition that cites nothing with its id alone, and a bare state with none', () => {
    expect(line('"task.alive.buffer.allocated" [id=')).toContain('TOOLTIP="task.alive.buffer.allocated:TOUCH:1"');
    expect(line('"task.alive.tileData.init" [id=')).not.toContain('tooltip');
  });

  it('reach the SVG', async () => {
    expect(await renderSvg(dot)).toContain('source: arch/x86/kernel/signal.c:get_sigframe');
  });
});

describe('marks', () => {
  const graph = graphs[0]!;
  const marks: Marks = new Map([
    ['task.alive:EXEC:0', 'changed'],
    ['task.alive.buffer.permitted:TOUCH:2', 'uncovered'],
    ['task.alive.buffer.permitted', 'covered'],
  ]);
  const dot = toDot(graph, { marks, legend: { changed: 'changed against linux' } });

  it('style the marked edge, row and state, and nothing without marks', () => {
    const edge = dot.split('\n').find((l) => l.includes('id="t:task.alive:EXEC:0"'))!;
    expect(edge).toContain('color="#d9480f"');
    expect(edge).toContain('penwidth="2.5"');
    const state = dot.split('\n').find((l) => l.includes('[id="s:task.alive.buffer.permitted"'))!;
    expect(state).toContain('color="#2f9e44"');
    expect(state).toMatch(/ID="t:task\.alive\.buffer\.permitted:TOUCH:2"[^>]*><FONT COLOR="#adb5bd">/);
    const plain = toDot(graph);
    expect(plain).not.toContain('#d9480f');
    expect(plain).not.toContain('#2f9e44');
    expect(plain).not.toContain('legend');
  });

  it('come with a legend of the kinds used, in the caller\'s words', () => {
    expect(dot).toContain('"cluster_legend"');
    expect(dot).toContain('label="changed against linux"');
    expect(dot).toContain('label="covered"');
    expect(dot).toContain('label="not covered"');
    const one = toDot(graph, { marks: new Map([['task.exited', 'covered']]) });
    expect(one).toContain('label="covered"');
    expect(one).not.toContain('not covered');
  });

  it('render with viz', async () => {
    expect(await renderSvg(dot)).toContain('changed against linux');
  });
});

describe('helpers', () => {
  it('wrap keeps words whole and lines short', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('averyveryverylongword x', 5)).toEqual(['averyveryverylongword', 'x']);
  });

  it('stripProlog drops everything before <svg', () => {
    expect(stripProlog('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<!-- c -->\n<svg></svg>')).toBe('<svg></svg>');
  });

  it('renderSvg rejects DOT that Graphviz refuses, with one message', async () => {
    await expect(renderSvg('digraph { a -> }')).rejects.toThrow(/Graphviz refused the DOT/);
  });
});

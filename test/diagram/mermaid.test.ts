// toMermaid(): the text follows the stateDiagram-v2 grammar Mermaid's parser accepts (checked line by
// line here, since Mermaid itself needs a browser), blocks balance, every state is declared once, every
// transition is there, and every edge names only states declared in its own block (Mermaid would
// otherwise move the state out of its composite).

import { describe, expect, it } from 'vitest';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { buildVariants } from '../../machines/variants.js';
import { allStates, chartGraph, type ChartGraph } from '../../src/model/chart-graph.js';
import { triggerText } from '../../src/diagram/labels.js';
import type { Marks } from '../../src/diagram/marks.js';
import { LINE_BREAK, mermaidIds, mermaidText, toMermaid } from '../../src/diagram/mermaid.js';

const variants = buildVariants(DEFAULT_PLATFORM);
const graphs = [chartGraph(variants.linux.task), chartGraph(variants.linux.process)];

const ID = '\\w+';
/** Mermaid's transition and description text: no `;`, `#`, newline, and no `::`. */
const DESC = '(?:[^:\\n;#]|:(?!:))+';
const GRAMMAR: readonly [string, RegExp][] = [
  ['initial', new RegExp(`^\\[\\*\\] --> (${ID})$`)],
  ['final', new RegExp(`^(${ID}) --> \\[\\*\\]$`)],
  ['declare', new RegExp(`^state "([^"]+)" as (${ID})( \\{)?$`)],
  ['open', new RegExp(`^state (${ID}) \\{$`)],
  ['close', /^\}$/],
  ['separator', /^--$/],
  ['edge', new RegExp(`^(${ID}) --> (${ID}) : (${DESC})$`)],
  ['describe', new RegExp(`^(${ID}) : (${DESC})$`)],
  ['classDef', new RegExp(`^classDef (${ID}) [^\\s;]+(?: [^\\s;]+)*$`)],
  ['class', new RegExp(`^class (${ID}(?:,${ID})*) (${ID})$`)],
];

interface Parsed {
  readonly declared: Map<string, string | null>;
  readonly edges: { from: string; to: string; label: string; block: string | null }[];
  readonly descriptions: { id: string; label: string }[];
  readonly separators: Map<string | null, number>;
  readonly classes: Map<string, string[]>;
}

function parse(text: string): Parsed {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('stateDiagram-v2');
  const stack: (string | null)[] = [null];
  const parsed: Parsed = { declared: new Map(), edges: [], descriptions: [], separators: new Map(), classes: new Map() };
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    const match = GRAMMAR.map(([kind, re]) => [kind, re.exec(line)] as const).find(([, m]) => m !== null);
    expect(match, `line does not follow the grammar: ${JSON.stringify(raw)}`).toBeDefined();
    const [kind, m] = match!;
    const block = stack.at(-1)!;
    if (kind === 'declare') {
      expect(parsed.declared.has(m![2]!), `declared twice: ${m![2]}`).toBe(false);
      parsed.declared.set(m![2]!, block);
      if (m![3]) stack.push(m![2]!);
    }
    if (kind === 'open') {
      expect(parsed.declared.get(m![1]!), `opened outside its block: ${m![1]}`).toBe(block);
      stack.push(m![1]!);
    }
    if (kind === 'close') {
      stack.pop();
      expect(stack.length, 'unbalanced }').toBeGreaterThan(0);
    }
    if (kind === 'separator') parsed.separators.set(block, (parsed.separators.get(block) ?? 0) + 1);
    if (kind === 'edge') parsed.edges.push({ from: m![1]!, to: m![2]!, label: m![3]!, block });
    if (kind === 'describe') parsed.descriptions.push({ id: m![1]!, label: m![2]! });
    if (kind === 'class') parsed.classes.set(m![2]!, m![1]!.split(','));
  }
  expect(stack, 'every block is closed').toEqual([null]);
  return parsed;
}

function check(graph: ChartGraph, text: string): Parsed {
  const p = parse(text);
  const ids = mermaidIds(graph);
  for (const s of allStates(graph)) expect(p.declared.has(ids.get(s.id)!), s.id).toBe(true);
  for (const e of p.edges) {
    expect(p.declared.get(e.from), `${e.from} is declared in the block of its edge`).toBe(e.block);
    expect(p.declared.get(e.to), `${e.to} is declared in the block of its edge`).toBe(e.block);
  }
  for (const d of p.descriptions) expect(p.declared.has(d.id), d.id).toBe(true);
  const labels = [...p.edges.flatMap((e) => e.label.split(LINE_BREAK)), ...p.descriptions.map((d) => d.label)];
  for (const t of graph.transitions) expect(labels.some((l) => l.includes(mermaidText(triggerText(t)))), t.id).toBe(true);
  return p;
}

describe.each(graphs.map((g) => [g.machine, g] as const))('toMermaid: the %s chart', (_name, graph) => {
  const text = toMermaid(graph);

  it('follows the grammar, declares every state once and draws every transition', () => {
    check(graph, text);
  });

  it('separates the regions of each parallel state with --', () => {
    const p = parse(text);
    const ids = mermaidIds(graph);
    for (const s of allStates(graph).filter((x) => x.type === 'parallel')) expect(p.separators.get(ids.get(s.id)!), s.id).toBe(s.children.length - 1);
  });

  it('has as many lines per transition count as transitions (none lost, none invented)', () => {
    const p = parse(text);
    const labels = [...p.edges.flatMap((e) => e.label.split(LINE_BREAK)), ...p.descriptions.map((d) => d.label)];
    expect(labels.length).toBe(graph.transitions.reduce((n, t) => n + Math.max(1, t.targets.length), 0));
  });

  it('is deterministic', () => {
    expect(toMermaid(graph)).toBe(text);
  });
});

describe('Mermaid marks', () => {
  const graph = graphs[0]!;
  const marks: Marks = new Map([
    ['task.alive:EXEC:0', 'changed'],
    ['task.alive.buffer.permitted', 'covered'],
    ['task.alive.tileData', 'uncovered'],
  ]);
  const text = toMermaid(graph, { marks });

  it('become classDef and class lines for states, and a word in transition labels', () => {
    const p = check(graph, text);
    expect(text).toMatch(/^ {2}classDef covered /m);
    expect(p.classes.get('covered')).toContain('task_alive_buffer_permitted');
    expect(p.classes.get('uncovered')).toContain('task_alive_tileData');
    expect(p.edges.some((e) => e.label.split(LINE_BREAK).some((l) => l.startsWith('CHANGED EXEC [largeBufferAllocated]')))).toBe(true);
    for (const [kind, members] of p.classes) for (const m of members) expect(p.declared.has(m), `${kind} ${m}`).toBe(true);
  });

  it('leave no trace when there are none', () => {
    const plain = toMermaid(graph);
    expect(plain).not.toMatch(/classDef|CHANGED|legend/);
  });

  it('keeps labels inside the grammar whatever the text', () => {
    expect(mermaidText('a;b#c::d "e" <f>\ng')).toBe("a,bno.c:d 'e' (f) g");
  });
});

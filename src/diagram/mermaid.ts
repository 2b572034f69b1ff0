// Renders a chart graph as Mermaid `stateDiagram-v2` text, which GitHub draws in Markdown: composite
// states nested, parallel regions separated by `--`, `[*]` for initial and final, transitions labelled
// `EVENT [guard]`. Deterministic: the same graph and options give the same text.
//
// Mermaid's grammar shapes the output. State ids may hold only word characters (`class` lines accept
// nothing else), so chart ids are sanitised and made unique, and each state gets its key as its label.
// Labels must not hold `;`, `#`, `::` or newlines, and state labels no double quote. Targetless
// transitions of a simple state become description lines inside its box (UML's internal transitions);
// those of a composite state, which Mermaid cannot describe, become self-loops. Mermaid styles states
// with classDef but cannot style a transition, so a marked transition carries its mark as a word in
// front of its label. Actions are left out by default: Mermaid's labels are single lines that its
// layout places badly when long, and the DOT diagram shows them.

import { allStates, type ChartGraph, type GraphState, type GraphTransition } from '../model/chart-graph.js';
import { actionsText, triggerText } from './labels.js';
import { DEFAULT_LEGEND, kindsUsed, type Mark, type Marks } from './marks.js';

export interface MermaidOptions {
  readonly marks?: Marks;
  /** Legend words per mark, e.g. `{changed: 'changed against linux'}`. */
  readonly legend?: Partial<Record<Mark, string>>;
  /** Add ` / actions` to each label (default false). */
  readonly actions?: boolean;
}

const CLASS_STYLE: Readonly<Record<Mark, string>> = {
  changed: 'stroke:#d9480f,stroke-width:3px,color:#d9480f,font-weight:bold',
  covered: 'stroke:#2f9e44,stroke-width:2px,color:#2f9e44',
  uncovered: 'stroke:#adb5bd,stroke-dasharray:4 3,color:#868e96',
};

/** Separates the labels of transitions that share an edge; Mermaid renders it as a line break. */
export const LINE_BREAK = '<br>';

/** The word in front of a marked transition's label. */
export const TRANSITION_MARK_WORD: Readonly<Record<Mark, string>> = {
  changed: 'CHANGED',
  covered: 'covered',
  uncovered: 'uncovered',
};

/** Text safe in a Mermaid label: no `;`, `#`, `::`, quotes, angle brackets or line breaks. */
export function mermaidText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/;/g, ',')
    .replace(/#/g, 'no.')
    .replace(/::+/g, ':')
    .replace(/"/g, "'")
    .replace(/</g, '(')
    .replace(/>/g, ')')
    .trim();
}

/** Unique Mermaid ids made of word characters, one per state id, in document order. */
export function mermaidIds(graph: ChartGraph): ReadonlyMap<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const s of allStates(graph)) {
    const base = s.id.replace(/\W+/g, '_');
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(s.id, id);
  }
  return ids;
}

interface Context {
  readonly ids: ReadonlyMap<string, string>;
  readonly marks: Marks;
  readonly withActions: boolean;
  /** Transitions by the composite state whose block holds their line. */
  readonly placed: ReadonlyMap<string, readonly GraphTransition[]>;
  readonly byId: ReadonlyMap<string, GraphState>;
  readonly parentOf: ReadonlyMap<string, string>;
}

function label(t: GraphTransition, ctx: Context): string {
  const mark = ctx.marks.get(t.id);
  const actions = ctx.withActions ? actionsText(t) : '';
  const text = [mark ? TRANSITION_MARK_WORD[mark] : '', triggerText(t), actions].filter((x) => x !== '').join(' ');
  return mermaidText(text);
}

function isComposite(s: GraphState): boolean {
  return s.type === 'compound' || s.type === 'parallel';
}

/** The ancestor-or-self of `id` that sits directly in `block` (null: the top level, which holds the root). */
function lift(id: string, block: string | null, parentOf: ReadonlyMap<string, string>): string {
  let at = id;
  while ((parentOf.get(at) ?? null) !== block) at = parentOf.get(at)!;
  return at;
}

/**
 * The lines of transitions placed in `block`. Mermaid moves a state into the last block that names
 * it, so both ends are lifted to the states that sit directly in the block, and the label says where
 * the transition really starts (`from x`) or ends (`to y`).
 */
function transitionLines(transitions: readonly GraphTransition[], block: string | null, ctx: Context, indent: string): string[] {
  // Mermaid draws one edge per pair of states, so transitions between the same pair share a line,
  // their labels one per row.
  const edges = new Map<string, { from: string; to: string; labels: string[] }>();
  for (const t of transitions) {
    const from = lift(t.source, block, ctx.parentOf);
    for (const target of t.targets.length === 0 ? [t.source] : t.targets) {
      const to = lift(target, block, ctx.parentOf);
      const notes = [from !== t.source ? `from ${t.source.slice(from.length + 1)}` : '', to !== target ? `to ${target.slice(to.length + 1)}` : ''];
      const text = [label(t, ctx), ...notes.filter((n) => n !== '').map((n) => `(${n})`)].join(' ');
      const key = `${from} ${to}`;
      const edge = edges.get(key) ?? { from, to, labels: [] };
      edge.labels.push(mermaidText(text));
      edges.set(key, edge);
    }
  }
  return [...edges.values()].map((e) => `${indent}${ctx.ids.get(e.from)!} --> ${ctx.ids.get(e.to)!} : ${e.labels.join(LINE_BREAK)}`);
}

function stateLines(s: GraphState, ctx: Context, indent: string, internal: ReadonlyMap<string, readonly GraphTransition[]>): string[] {
  const id = ctx.ids.get(s.id)!;
  const lines = [`${indent}state "${mermaidText(s.key)}" as ${id}`];
  if (!isComposite(s)) {
    for (const t of internal.get(s.id) ?? []) lines.push(`${indent}${id} : ${label(t, ctx)}`);
    return lines;
  }
  const inner = `${indent}  `;
  lines.push(`${indent}state ${id} {`);
  const body = (children: readonly GraphState[]): string[] => {
    const out: string[] = [];
    if (s.initial && children.some((c) => c.id === s.initial)) out.push(`${inner}[*] --> ${ctx.ids.get(s.initial)!}`);
    for (const c of children) {
      out.push(...stateLines(c, ctx, inner, internal));
      if (c.type === 'final') out.push(`${inner}${ctx.ids.get(c.id)!} --> [*]`);
    }
    return out;
  };
  const placed = ctx.placed.get(s.id) ?? [];
  if (s.type === 'parallel') {
    s.children.forEach((region, i) => {
      if (i > 0) lines.push(`${inner}--`);
      lines.push(...body([region]));
      // A transition between regions goes with its source's region.
      lines.push(...transitionLines(placed.filter((t) => within(t.source, region.id)), s.id, ctx, inner));
    });
    lines.push(...transitionLines(placed.filter((t) => !s.children.some((r) => within(t.source, r.id))), s.id, ctx, inner));
  } else {
    lines.push(...body(s.children), ...transitionLines(placed, s.id, ctx, inner));
  }
  lines.push(`${indent}}`);
  return lines;
}

/** Whether `id` is `ancestor` or lies inside it: state ids are paths. */
function within(id: string, ancestor: string): boolean {
  return id === ancestor || id.startsWith(`${ancestor}.`);
}

/**
 * The composite whose block holds a transition's line: the deepest state strictly containing its
 * source and all its targets, so that a transition from a composite into its own child is drawn
 * outside it. Null means the top level.
 */
function blockOf(t: GraphTransition, parentOf: ReadonlyMap<string, string>): string | null {
  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let at = parentOf.get(id); at !== undefined; at = parentOf.get(at)) out.push(at);
    return out;
  };
  const ends = [t.source, ...t.targets];
  const common = ancestors(t.source).filter((a) => ends.every((e) => ancestors(e).includes(a)));
  return common[0] ?? null;
}

function legendLines(marks: Marks, words: Partial<Record<Mark, string>>): string[] {
  const kinds = kindsUsed(marks);
  if (kinds.length === 0) return [];
  return [
    '  state "legend" as legend {',
    ...kinds.map((k) => `    state "${mermaidText(`${words[k] ?? DEFAULT_LEGEND[k]} (a transition: ${TRANSITION_MARK_WORD[k]} in its label)`)}" as legend_${k}`),
    '  }',
  ];
}

/** The chart as Mermaid `stateDiagram-v2` text, marked states styled with classDef and class lines. */
export function toMermaid(graph: ChartGraph, options: MermaidOptions = {}): string {
  const states = allStates(graph);
  const parentOf = new Map<string, string>();
  for (const s of states) for (const c of s.children) parentOf.set(c.id, s.id);
  const byId = new Map(states.map((s) => [s.id, s]));
  const internal = new Map<string, GraphTransition[]>();
  const placed = new Map<string, GraphTransition[]>();
  const top: GraphTransition[] = [];
  for (const t of graph.transitions) {
    if (t.targets.length === 0 && !isComposite(byId.get(t.source)!)) {
      internal.set(t.source, [...(internal.get(t.source) ?? []), t]);
      continue;
    }
    const block = blockOf(t, parentOf);
    if (block === null) top.push(t);
    else placed.set(block, [...(placed.get(block) ?? []), t]);
  }
  const marks = options.marks ?? new Map<string, Mark>();
  const ctx: Context = { ids: mermaidIds(graph), marks, withActions: options.actions ?? false, placed, byId, parentOf };
  const rootId = ctx.ids.get(graph.root.id)!;
  const lines = ['stateDiagram-v2', `  [*] --> ${rootId}`, ...stateLines(graph.root, ctx, '  ', internal), ...transitionLines(top, null, ctx, '  ')];
  const kinds = kindsUsed(marks);
  if (kinds.length > 0) {
    lines.push(...legendLines(marks, options.legend ?? {}));
    for (const k of kinds) lines.push(`  classDef ${k} ${CLASS_STYLE[k]}`);
    for (const k of kinds) {
      const marked = states.filter((s) => marks.get(s.id) === k).map((s) => ctx.ids.get(s.id)!);
      lines.push(`  class ${[...marked, `legend_${k}`].join(',')} ${k}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

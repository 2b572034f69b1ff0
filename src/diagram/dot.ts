// Renders a chart graph as Graphviz DOT: compound states as clusters, the regions of a parallel state as
// dashed clusters, final states as double circles, initial arrows from a dot, one edge per transition.
// Deterministic: the same graph and options give the same bytes (everything follows document order).
//
// A composite state is a cluster holding a bold title node that carries the state's id. Its own
// transitions start or end at that title; `ltail`/`lhead` clip them at the cluster border when the other
// end lies outside, so they read "from anywhere in this state". Edge labels are `EVENT [guard]` with the
// actions on a second, smaller line: for the many targetless transitions (a TOUCH that raises SIGILL,
// a SIGNAL that kills) the actions are all that says what happens, and a variant's changed action
// (dropLargeBufferAtExec) must be visible where it is marked. The kernel source a state or transition
// cites (its `meta.source`) is its tooltip, with the transition's id or the state's description: in
// an SVG it shows on hover, and the picture stays as readable as without it.

import { allStates, type ChartGraph, type GraphState, type GraphTransition } from '../model/chart-graph.js';
import { actionsText, triggerText } from './labels.js';
import { DEFAULT_LEGEND, kindsUsed, type Mark, type Marks } from './marks.js';
import { escapeXml } from '../xml.js';

export interface DotOptions {
  /** Printed above the diagram. */
  readonly title?: string;
  readonly marks?: Marks;
  /** Legend words per mark, e.g. `{changed: 'changed against linux'}`. */
  readonly legend?: Partial<Record<Mark, string>>;
  /** Print each transition's actions under its trigger (default true). */
  readonly actions?: boolean;
}

const FONT = 'Helvetica';
const WRAP = 48;

const MARK_STYLE: Readonly<Record<Mark, { color: string; penwidth: string; dashed: boolean }>> = {
  changed: { color: '#d9480f', penwidth: '2.5', dashed: false },
  covered: { color: '#2f9e44', penwidth: '1.5', dashed: false },
  uncovered: { color: '#adb5bd', penwidth: '1', dashed: true },
};

/** A DOT quoted string: backslashes and quotes escaped, so `\N`-style escapes never fire. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/** Splits text into lines of at most `width` characters at spaces (longer words stay whole). */
export function wrap(text: string, width = WRAP): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function attrs(pairs: Record<string, string | undefined>): string {
  const set = Object.entries(pairs).filter((e): e is [string, string] => e[1] !== undefined);
  return set.length === 0 ? '' : ` [${set.map(([k, v]) => `${k}=${v.startsWith('<') ? v : quote(v)}`).join(', ')}]`;
}

/** Attributes of a subgraph, one `key=value;` statement each. */
function statements(pairs: Record<string, string | undefined>, indent: string): string[] {
  return Object.entries(pairs).flatMap(([k, v]) => (v === undefined ? [] : [`${indent}${k}=${quote(v)};`]));
}

function isComposite(s: GraphState): boolean {
  return s.type === 'compound' || s.type === 'parallel';
}

function clusterName(id: string): string {
  return `cluster_${id}`;
}

function markAttrs(mark: Mark | undefined, baseStyle: string[]): Record<string, string | undefined> {
  if (!mark) return { style: baseStyle.length ? baseStyle.join(',') : undefined };
  const m = MARK_STYLE[mark];
  const style = m.dashed ? [...baseStyle.filter((s) => s !== 'solid'), 'dashed'] : baseStyle;
  return { color: m.color, fontcolor: m.color, penwidth: m.penwidth, style: style.length ? style.join(',') : undefined };
}

function withoutFontcolor(a: Record<string, string | undefined>): Record<string, string | undefined> {
  const { fontcolor: _, ...rest } = a;
  return rest;
}

interface Context {
  readonly marks: Marks;
  readonly byId: ReadonlyMap<string, GraphState>;
  readonly parentOf: ReadonlyMap<string, string>;
  /** Targetless transitions by source: printed inside the state, as UML's internal-transition compartment. */
  readonly internal: ReadonlyMap<string, readonly GraphTransition[]>;
  readonly withActions: boolean;
}

/** Text in a mark's colour; changed text is bold too. */
function marked(text: string, mark: Mark | undefined): string {
  if (!mark) return text;
  const coloured = `<FONT COLOR="${MARK_STYLE[mark].color}">${text}</FONT>`;
  return mark === 'changed' ? `<B>${coloured}</B>` : coloured;
}

/** A transition's tooltip: its id, and the source it cites. */
function transitionTooltip(t: GraphTransition): string {
  return t.reference === undefined ? t.id : `${t.id}; source: ${t.reference}`;
}

/** A state's tooltip: its description, then the source it cites; none when it has neither. */
function stateTooltip(s: GraphState): string | undefined {
  const description = s.description === undefined ? undefined : /[.!?]$/.test(s.description) ? s.description : `${s.description}.`;
  const parts = [description, s.reference === undefined ? undefined : `Source: ${s.reference}`].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? undefined : parts.join(' ');
}

function transitionText(t: GraphTransition, withActions: boolean, align: string): string {
  const br = `<BR${align}/>`;
  const trigger = wrap(triggerText(t)).map(escapeXml).join(br);
  const actions = withActions ? actionsText(t) : '';
  return actions === '' ? trigger : `${trigger}${br}<FONT POINT-SIZE="8">${wrap(actions).map(escapeXml).join(br)}</FONT>`;
}

/** A state's HTML label: its name, then one row per internal (targetless) transition. */
function stateLabel(s: GraphState, ctx: Context, title: string): string {
  const rows = (ctx.internal.get(s.id) ?? []).map(
    (t) => `<TR><TD ALIGN="LEFT" BALIGN="LEFT" ID="t:${escapeXml(t.id)}" TOOLTIP="${escapeXml(transitionTooltip(t))}">${marked(transitionText(t, ctx.withActions, ' ALIGN="LEFT"'), ctx.marks.get(t.id))}</TD></TR>`,
  );
  if (rows.length === 0) return `<${title}>`;
  return `<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD>${title}</TD></TR><HR/>${rows.join('')}</TABLE>>`;
}

function stateLines(s: GraphState, ctx: Context, regionOfParallel: boolean, indent: string): string[] {
  const mark = ctx.marks.get(s.id);
  if (!isComposite(s)) {
    const final = s.type === 'final';
    return [
      `${indent}${quote(s.id)}${attrs({
        id: `s:${s.id}`,
        label: stateLabel(s, ctx, marked(escapeXml(s.key), mark)),
        tooltip: stateTooltip(s),
        shape: final ? 'doublecircle' : s.type === 'history' ? 'circle' : 'box',
        ...withoutFontcolor(markAttrs(mark, final ? [] : ['rounded'])),
      })};`,
    ];
  }
  const inner = `${indent}  `;
  // The mark colours the title, not the whole label: the internal transitions below carry their own marks.
  const title = marked(`<B>${escapeXml(s.key)}</B>${s.type === 'parallel' ? '<BR/><FONT POINT-SIZE="8">parallel</FONT>' : ''}`, mark);
  const lines = [
    `${indent}subgraph ${quote(clusterName(s.id))} {`,
    ...statements({ id: `c:${s.id}`, label: '', ...markAttrs(mark, [regionOfParallel ? 'dashed' : 'solid', 'rounded']) }, inner),
    `${inner}${quote(s.id)}${attrs({
      id: `s:${s.id}`,
      label: stateLabel(s, ctx, title),
      tooltip: stateTooltip(s),
      shape: 'plaintext',
    })};`,
  ];
  if (s.initial) {
    const dot = `${s.id}__initial`;
    lines.push(`${inner}${quote(dot)}${attrs({ label: '', shape: 'point', width: '0.12' })};`);
    lines.push(`${inner}${quote(dot)} -> ${quote(s.initial)};`);
  }
  for (const c of s.children) lines.push(...stateLines(c, ctx, s.type === 'parallel', inner));
  lines.push(`${indent}}`);
  return lines;
}

/** Whether `id` is `ancestor` or lies inside it. */
function within(id: string, ancestor: string, parentOf: ReadonlyMap<string, string>): boolean {
  for (let at: string | undefined = id; at !== undefined; at = parentOf.get(at)) if (at === ancestor) return true;
  return false;
}

/** The edges of a transition with targets, one per target; targetless ones live in their state's label. */
function edgeLines(t: GraphTransition, ctx: Context): string[] {
  const source = ctx.byId.get(t.source);
  return t.targets.map((target, k) => {
    const head = ctx.byId.get(target);
    const clipTail = source && isComposite(source) && !within(target, t.source, ctx.parentOf);
    const clipHead = head && isComposite(head) && !within(t.source, target, ctx.parentOf);
    const mark = ctx.marks.get(t.id);
    return `  ${quote(t.source)} -> ${quote(target)}${attrs({
      id: t.targets.length === 1 ? `t:${t.id}` : `t:${t.id}/${k}`,
      label: `<${transitionText(t, ctx.withActions, '')}>`,
      tooltip: transitionTooltip(t),
      ltail: clipTail ? clusterName(t.source) : undefined,
      lhead: clipHead ? clusterName(target) : undefined,
      ...markAttrs(mark, []),
      ...(t.trigger === 'always' && !mark ? { color: '#495057', fontcolor: '#495057' } : {}),
    })};`;
  });
}

function legendLines(marks: Marks, words: Partial<Record<Mark, string>>): string[] {
  const kinds = kindsUsed(marks);
  if (kinds.length === 0) return [];
  const lines = ['  subgraph "cluster_legend" {', '    label="legend"; style="rounded"; color="#868e96"; fontsize="10";'];
  for (const k of kinds) {
    const m = MARK_STYLE[k];
    lines.push(
      `    ${quote(`legend:${k}`)}${attrs({ label: words[k] ?? DEFAULT_LEGEND[k], shape: 'box', color: m.color, fontcolor: m.color, penwidth: m.penwidth, style: m.dashed ? 'rounded,dashed' : 'rounded' })};`,
    );
  }
  lines.push('  }');
  return lines;
}

/** The chart as a DOT digraph, marked states and transitions styled, with a legend when marks are given. */
export function toDot(graph: ChartGraph, options: DotOptions = {}): string {
  const states = allStates(graph);
  const parentOf = new Map<string, string>();
  for (const s of states) for (const c of s.children) parentOf.set(c.id, s.id);
  const internal = new Map<string, GraphTransition[]>();
  for (const t of graph.transitions) if (t.targets.length === 0) internal.set(t.source, [...(internal.get(t.source) ?? []), t]);
  const ctx: Context = {
    marks: options.marks ?? new Map(),
    byId: new Map(states.map((s) => [s.id, s])),
    parentOf,
    internal,
    withActions: options.actions ?? true,
  };
  const lines = [
    `digraph ${quote(graph.machine)} {`,
    `  graph${attrs({ compound: 'true', rankdir: 'LR', fontname: FONT, fontsize: '11', nodesep: '0.25', ranksep: '0.4', ...(options.title ? { label: options.title, labelloc: 't', fontsize: '14' } : {}) })};`,
    `  node${attrs({ fontname: FONT, fontsize: '10', margin: '0.08,0.04' })};`,
    `  edge${attrs({ fontname: FONT, fontsize: '9', arrowsize: '0.7' })};`,
    ...stateLines(graph.root, ctx, false, '  '),
    ...graph.transitions.flatMap((t) => edgeLines(t, ctx)),
    ...legendLines(ctx.marks, options.legend ?? {}),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

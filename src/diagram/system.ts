// The composition as a picture: how src/model/system.ts runs one process chart per thread group and one
// task chart per thread, with the environment's memory, and routes each scenario op to them.
// The edges are the kernel rules of src/model/rules.ts, their ops come from the op table
// (machines/kernel-events.ts) and the region names from the charts themselves.

import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { OPS, ROUTES, type Route } from '../../machines/kernel-events.js';
import { buildVariants } from '../../machines/variants.js';
import { chartGraph, type GraphState } from '../model/chart-graph.js';
import { quote, wrap } from './dot.js';
import { mermaidText } from './mermaid.js';
import { ROUTE_RULES, SHARED_RULES, type CompositionEdge, type SharedRule, type SharedRuleName, type SystemNode } from '../model/rules.js';

export type { SystemNode };

/** One edge group of the picture: the ops whose rules add it, where their effect goes, which chart events it sends. */
export interface CompositionRule {
  readonly ops: readonly string[];
  readonly from: SystemNode;
  readonly to: readonly SystemNode[];
  readonly text: string;
  readonly sends: readonly { readonly chart: 'task' | 'process'; readonly event: string }[];
}

function routedTo(route: Route): string[] {
  return OPS.filter((o) => o.route === route).map((o) => o.op);
}

/** The ops the shared rule applies to: those its own selector picks, else those whose route uses it. */
function usersOf(name: SharedRuleName, shared: SharedRule): string[] {
  if (shared.appliesTo) return OPS.filter(shared.appliesTo).map((o) => o.op);
  return ROUTES.filter((r) => ROUTE_RULES[r].uses.includes(name)).flatMap(routedTo);
}

function edgeRule(ops: readonly string[], e: CompositionEdge): CompositionRule {
  const sends = e.sendsOpEvent === undefined ? e.sends : [...e.sends, ...ops.map((event) => ({ chart: e.sendsOpEvent!, event }))];
  return { ops, from: e.from, to: e.to, text: e.text, sends };
}

/** Edges with the same ends and text drawn once, with the ops of all the rules that add them. */
function merged(rules: readonly CompositionRule[]): CompositionRule[] {
  const byEdge = new Map<string, CompositionRule>();
  for (const r of rules) {
    if (r.ops.length === 0) continue;
    const k = JSON.stringify([r.from, r.to, r.text]);
    const known = byEdge.get(k);
    const union = <T>(a: readonly T[], b: readonly T[], id: (x: T) => string) => [...new Map([...a, ...b].map((x) => [id(x), x])).values()];
    byEdge.set(
      k,
      known
        ? { ...known, ops: union(known.ops, r.ops, (o) => o), sends: union(known.sends, r.sends, (x) => `${x.chart} ${x.event}`) }
        : r,
    );
  }
  return [...byEdge.values()];
}

/** The composition as the kernel rules of src/model/rules.ts draw it, each with the ops of the op table that reach it. */
export const COMPOSITION_RULES: readonly CompositionRule[] = merged([
  ...ROUTES.flatMap((route) => ROUTE_RULES[route].edges.map((e) => edgeRule(routedTo(route), e))),
  ...(Object.entries(SHARED_RULES) as [SharedRuleName, SharedRule][]).flatMap(([name, shared]) => shared.edges.map((e) => edgeRule(usersOf(name, shared), e))),
]);

interface SystemPicture {
  readonly labels: Readonly<Record<SystemNode, string>>;
  readonly edges: readonly { readonly from: SystemNode; readonly to: SystemNode; readonly label: string; readonly dashed: boolean }[];
}

function regionNames(state: GraphState | undefined): string {
  return state ? state.children.map((c) => c.key).join(' | ') : '';
}

/** The picture's boxes and edges, from the op table, the charts and the rules. */
export function systemPicture(): SystemPicture {
  const variants = buildVariants(DEFAULT_PLATFORM);
  const task = chartGraph(variants.linux.task);
  const process = chartGraph(variants.linux.process);
  const alive = task.root.children.find((c) => c.type === 'parallel');
  const taskRegions = regionNames(alive);
  const labels: Record<SystemNode, string> = {
    step: 'scenario step\n{task, op, fields}',
    process: `process chart\n${regionNames(process.root)}`,
    thread: `the step's thread: task chart\n${taskRegions}`,
    others: 'the other live threads:\none task chart each',
    newThread: 'new thread: task chart',
    childProcess: 'child process: process chart',
    childThread: 'its thread: task chart',
    memory: 'memory (environment)\navailable | exhausted',
  };
  const edges = COMPOSITION_RULES.flatMap((r) =>
    r.to.map((to) => ({ from: r.from, to, label: r.from === 'memory' ? r.text : `${r.ops.join(', ')}: ${r.text}`, dashed: r.from === 'memory' })),
  );
  return { labels, edges };
}

const CLUSTERS: readonly { readonly id: string; readonly label: string; readonly nodes: readonly SystemNode[] }[] = [
  { id: 'cluster_group', label: 'a process (thread group)', nodes: ['process', 'thread', 'others', 'newThread'] },
  { id: 'cluster_child', label: 'FORK, VFORK: a new process', nodes: ['childProcess', 'childThread'] },
];

/** The composition as Graphviz DOT. */
export function systemDot(title = 'amxstate: how the system composes the charts'): string {
  const { labels, edges } = systemPicture();
  const node = (n: SystemNode) => `${quote(n)} [label=${quote(labels[n])}, shape=${n === 'step' ? 'note' : n === 'memory' ? 'cylinder' : 'box'}, style=${quote(n === 'others' || n === 'newThread' || n === 'childThread' ? 'rounded,dashed' : 'rounded')}];`;
  const clustered = new Set(CLUSTERS.flatMap((c) => c.nodes));
  const lines = [
    'digraph "system" {',
    `  graph [rankdir="LR", fontname="Helvetica", fontsize="14", label=${quote(title)}, labelloc="t", nodesep="0.5", ranksep="1.2"];`,
    '  node [fontname="Helvetica", fontsize="10"];',
    '  edge [fontname="Helvetica", fontsize="9", arrowsize="0.7"];',
    ...(['step', 'memory'] as const).filter((n) => !clustered.has(n)).map((n) => `  ${node(n)}`),
    ...CLUSTERS.flatMap((c) => [
      `  subgraph ${quote(c.id)} {`,
      `    label=${quote(c.label)}; style="rounded"; fontsize="11";`,
      ...c.nodes.map((n) => `    ${node(n)}`),
      '  }',
    ]),
    ...edges.map(
      (e, i) =>
        `  ${quote(e.from)} -> ${quote(e.to)} [id=${quote(`e${i}`)}, label=${quote(wrap(e.label, 44).join('\n'))}${e.dashed ? ', style="dashed", color="#868e96", fontcolor="#495057"' : ''}];`,
    ),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/** The composition as a Mermaid flowchart. */
export function systemMermaid(): string {
  const { labels, edges } = systemPicture();
  const text = (s: string) => mermaidText(s.replace(/\n/g, ' / ')).replace(/"/g, "'");
  const node = (n: SystemNode) => `${n}["${text(labels[n])}"]`;
  const clustered = new Set(CLUSTERS.flatMap((c) => c.nodes));
  const lines = [
    'flowchart LR',
    ...(['step', 'memory'] as const).filter((n) => !clustered.has(n)).map((n) => `  ${node(n)}`),
    ...CLUSTERS.flatMap((c) => [`  subgraph ${c.id.replace('cluster_', '')}["${text(c.label)}"]`, ...c.nodes.map((n) => `    ${node(n)}`), '  end']),
    ...edges.map((e) => `  ${e.from} ${e.dashed ? '-.->' : '-->'}|"${text(e.label)}"| ${e.to}`),
  ];
  return `${lines.join('\n')}\n`;
}

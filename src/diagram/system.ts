// The composition as a picture: how src/model/system.ts runs one process chart per thread group and one
// task chart per thread, with the environment's memory, and routes each scenario op to them.
// The op lists come from machines/kernel-events.ts and the region names from the charts themselves;
// the special routing rules are the table below, which test/diagram checks against both.

import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { OPS } from '../../machines/kernel-events.js';
import { VARIANT_NAMES, buildVariants } from '../../machines/variants.js';
import { chartGraph, type ChartGraph, type GraphState } from './chart-graph.js';
import { quote, wrap } from './dot.js';
import { mermaidText } from './mermaid.js';

/** The boxes of the picture. */
export type SystemNode = 'step' | 'process' | 'thread' | 'others' | 'newThread' | 'childProcess' | 'childThread' | 'memory';

/** One composition rule of World.apply(): ops, where their effect goes, which chart events it sends. */
export interface CompositionRule {
  readonly ops: readonly string[];
  readonly from: SystemNode;
  readonly to: readonly SystemNode[];
  readonly text: string;
  /** Chart events the rule sends (checked against the charts by the tests). */
  readonly sends: readonly { readonly chart: 'task' | 'process'; readonly event: string }[];
}

/** The routing that is more than "send the event of the same name", as src/model/system.ts does it. */
export const COMPOSITION_RULES: readonly CompositionRule[] = [
  {
    ops: ['REQ_PERM'],
    from: 'step',
    to: ['process'],
    text: 'REQ_PERM {feature, smallAltstackInProcess, memory}',
    sends: [{ chart: 'process', event: 'REQ_PERM' }],
  },
  {
    ops: ['REQ_PERM'],
    from: 'process',
    to: ['thread', 'others'],
    text: 'granted: PERMISSION_GRANTED {memory} to every live thread',
    sends: [{ chart: 'task', event: 'PERMISSION_GRANTED' }],
  },
  {
    ops: ['TOUCH', 'LDTILECFG', 'TILERELEASE', 'SIGRETURN', 'SIGNAL'],
    from: 'thread',
    to: ['process'],
    text: 'a fault (SIGILL, SIGSEGV) or a fatal frame overflow meets the disposition',
    sends: [],
  },
  {
    ops: ['TOUCH', 'LDTILECFG', 'TILERELEASE', 'SIGRETURN', 'SIGNAL'],
    from: 'process',
    to: ['thread', 'others'],
    text: 'default disposition: KILLED {by: SIGILL | SIGSEGV} to every live thread',
    sends: [{ chart: 'task', event: 'KILLED' }],
  },
  {
    ops: ['TOUCH', 'LDTILECFG', 'TILERELEASE', 'SIGRETURN'],
    from: 'process',
    to: ['thread'],
    text: 'a handler: SIGNAL, then SIGRETURN; request-permission asks REQ_PERM, then runs the instruction again; SIGILL again: an endless refault, the thread is stuck',
    sends: [
      { chart: 'task', event: 'SIGNAL' },
      { chart: 'task', event: 'SIGRETURN' },
      { chart: 'process', event: 'REQ_PERM' },
      { chart: 'task', event: 'TOUCH' },
      { chart: 'task', event: 'LDTILECFG' },
      { chart: 'task', event: 'TILERELEASE' },
    ],
  },
  {
    ops: ['EXEC'],
    from: 'step',
    to: ['others'],
    text: 'KILLED {by: exec} (de_thread)',
    sends: [{ chart: 'task', event: 'KILLED' }],
  },
  { ops: ['EXEC'], from: 'step', to: ['process'], text: 'EXEC: back to defaults', sends: [{ chart: 'process', event: 'EXEC' }] },
  { ops: ['EXEC'], from: 'step', to: ['thread'], text: 'EXEC (fails: true is ENOENT and sends nothing)', sends: [{ chart: 'task', event: 'EXEC' }] },
  {
    ops: ['CLONE_THREAD'],
    from: 'step',
    to: ['newThread'],
    text: 'start a task chart {permitted, tileConfig, memory; no altstack}',
    sends: [],
  },
  {
    ops: ['FORK', 'VFORK'],
    from: 'step',
    to: ['childProcess'],
    text: 'start a process chart {host and guest permission, guest lock, dispositions}',
    sends: [],
  },
  {
    ops: ['FORK', 'VFORK'],
    from: 'step',
    to: ['childThread'],
    text: 'start a task chart {permitted, tileConfig, memory, altstack}; VFORK suspends the parent until the child execs or exits',
    sends: [],
  },
  {
    ops: ['PTRACE_SETREGSET'],
    from: 'step',
    to: ['thread'],
    text: 'EFAULT or EINVAL decided here, else LDTILECFG {palette: 1} and TOUCH',
    sends: [
      { chart: 'task', event: 'LDTILECFG' },
      { chart: 'task', event: 'TOUCH' },
    ],
  },
  { ops: ['OOM_BEGIN', 'OOM_END'], from: 'step', to: ['memory'], text: 'memory exhausted, available', sends: [] },
  {
    ops: ['TOUCH', 'PREALLOC', 'REQ_PERM', 'CLONE_THREAD', 'FORK', 'VFORK'],
    from: 'memory',
    to: ['thread', 'process', 'newThread', 'childThread'],
    text: 'read into the event or the new chart\'s input',
    sends: [],
  },
];

interface SystemPicture {
  readonly labels: Readonly<Record<SystemNode, string>>;
  readonly edges: readonly { readonly from: SystemNode; readonly to: SystemNode; readonly label: string; readonly dashed: boolean }[];
}

function regionNames(state: GraphState | undefined): string {
  return state ? state.children.map((c) => c.key).join(' | ') : '';
}

/**
 * Ops of one scope that a chart takes as the event of the same name, no rule needed: in the chart of
 * some variant (PREALLOC is only in prealloc-syscall's), since the composition routes them all alike.
 */
function directOps(scope: 'task' | 'process', graphs: readonly ChartGraph[]): string[] {
  const events = new Set(graphs.flatMap((g) => g.transitions.map((t) => t.event)));
  const special = new Set(COMPOSITION_RULES.filter((r) => r.from === 'step').flatMap((r) => r.ops));
  return OPS.filter((o) => o.scope === scope && events.has(o.op) && !special.has(o.op)).map((o) => o.op);
}

/** The picture's boxes and edges, from the op table, the charts and the rules. */
export function systemPicture(): SystemPicture {
  const variants = buildVariants(DEFAULT_PLATFORM);
  const task = chartGraph(variants.linux.task);
  const process = chartGraph(variants.linux.process);
  const everyVariant = VARIANT_NAMES.map((v) => variants[v]);
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
  const edges = [
    { from: 'step' as const, to: 'thread' as const, label: `${directOps('task', everyVariant.map((v) => chartGraph(v.task))).join(', ')}: the event of the same name`, dashed: false },
    { from: 'step' as const, to: 'process' as const, label: `${directOps('process', everyVariant.map((v) => chartGraph(v.process))).join(', ')}: the event of the same name`, dashed: false },
    ...COMPOSITION_RULES.flatMap((r) =>
      r.to.map((to) => ({ from: r.from, to, label: r.from === 'memory' ? r.text : `${r.ops.join(', ')}: ${r.text}`, dashed: r.from === 'memory' })),
    ),
  ];
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

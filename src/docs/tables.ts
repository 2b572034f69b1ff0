// Tables of the docs made from the code (`<!-- BEGIN generated: NAME -->` blocks), and text written
// by hand whose names are checked against the code (`<!-- BEGIN checked: NAME -->` blocks): the
// guard and action tables and the state trees of docs/model.md name exactly the guards, actions and
// states of the charts, and the command synopses and option tables exactly the options of the commands.

import { OPS, ROUTES, type FieldSpec } from '../../machines/kernel-events.js';
import { ROUTE_RULES, SHARED_RULES } from '../model/rules.js';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { buildVariants, VARIANT_NAMES, type VariantName } from '../../machines/variants.js';
import { PROPERTIES } from '../properties/catalogue.js';
import type { CommandSpec } from '../cli/command.js';

const cellEscape = (s: string) => s.replace(/\|/g, '\\|');

function fieldText(name: string, s: FieldSpec): string {
  const type = s.type.kind === 'enum' ? s.type.values.join(' \\| ') : s.type.kind === 'bytes' ? `bytes \\| ${s.type.names.join(' \\| ')}` : s.type.kind;
  const presence = s.required ? ' (required)' : s.default === undefined ? ' (optional)' : ` (default \`${JSON.stringify(s.default)}\`)`;
  return `\`${name}\`: ${type}${presence}`;
}

/** docs/scenarios.md: every op of OPS (machines/kernel-events.ts) with its scope, kernel entry point and fields. */
export function opsTable(): string {
  return [
    '| op | scope | kernel entry point | fields |',
    '|---|---|---|---|',
    ...OPS.map((o) => {
      const fields = Object.entries(o.fields).map(([n, s]) => fieldText(n, s)).join('<br>') || 'none';
      return `| \`${o.op}\` | ${o.scope} | ${cellEscape(o.kernel)} | ${fields} |`;
    }),
  ].join('\n');
}

/** docs/model.md: how the composition routes each op, one row per kernel rule of src/model/rules.ts. */
export function routingTable(): string {
  const code = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');
  const routed = ROUTES.map((route) => ({ route, rule: ROUTE_RULES[route], ops: OPS.filter((o) => o.route === route).map((o) => o.op) }));
  const onlyIn = (ops: readonly string[]) =>
    ops.flatMap((op) => {
      const variants = OPS.find((o) => o.op === op)?.onlyIn;
      return variants ? [` (${op}: ${variants.join(', ')} only)`] : [];
    });
  return [
    '| Ops | Rule | What the composition does | Kernel source | Applies |',
    '|---|---|---|---|---|',
    ...routed.map(({ route, rule, ops }) =>
      `| ${code(ops)} | \`${route}\` | ${cellEscape(rule.summary)}${onlyIn(ops).join('')} | ${cellEscape(rule.source)} | ${rule.uses.length > 0 ? code(rule.uses) : '-'} |`,
    ),
    '',
    '| Shared rule | What it does | Kernel source |',
    '|---|---|---|',
    ...Object.entries(SHARED_RULES).map(([name, r]) => `| \`${name}\` | ${cellEscape(r.summary)} | ${cellEscape(r.source)} |`),
  ].join('\n');
}

/** docs/variants.md: the named guards and actions each variant replaces, by chart (buildVariants()). */
export function variantsTable(): string {
  const variants = buildVariants(DEFAULT_PLATFORM);
  const list = (names: readonly string[]) => (names.length > 0 ? names.map((n) => `\`${n}\``).join(', ') : 'none');
  return [
    '| variant | base | task chart | process chart | extra ops |',
    '|---|---|---|---|---|',
    ...VARIANT_NAMES.map((n) => {
      const v = variants[n];
      return `| \`${n}\` | ${v.base === null ? 'none' : `\`${v.base}\``} | ${list(v.replaces.task)} | ${list(v.replaces.process)} | ${list(v.extraOps)} |`;
    }),
  ].join('\n');
}

/** docs/checking.md: the property catalogue (src/properties/catalogue.ts), in the order of the matrix rows. */
export function propertiesTable(): string {
  return [
    '| name | kind | claim | source |',
    '| --- | --- | --- | --- |',
    ...PROPERTIES.map((p) => `| \`${p.name}\` | ${p.kind} | ${cellEscape(p.claim)} | ${cellEscape(p.source)} |`),
  ].join('\n');
}

/** The names a chart gives: its named guards and actions, as its setup() declares them, and its states' keys. */
export interface ChartNames {
  readonly guards: readonly string[];
  readonly actions: readonly string[];
  readonly states: readonly string[];
}

export type ChartName = 'task' | 'process';

function namesOf(machine: AnyStateMachine): ChartNames {
  const keys = (node: AnyStateNode): string[] => [node.key, ...Object.values(node.states).flatMap(keys)];
  return {
    guards: Object.keys(machine.implementations.guards).sort(),
    actions: Object.keys(machine.implementations.actions).sort(),
    states: [...new Set(keys(machine.root))].sort(),
  };
}

/**
 * The names of each chart of every variant, read from the machines buildVariants() builds; a variant
 * replaces guards and actions under the names `linux` gives them.
 */
export function chartNames(): ReadonlyMap<VariantName, ReadonlyMap<ChartName, ChartNames>> {
  const variants = buildVariants(DEFAULT_PLATFORM);
  return new Map(VARIANT_NAMES.map((v) => [v, new Map<ChartName, ChartNames>([['task', namesOf(variants[v].task)], ['process', namesOf(variants[v].process)]])]));
}

/** Every guard, action and state name that some chart of some variant gives. */
export function everyChartName(names: ReadonlyMap<VariantName, ReadonlyMap<ChartName, ChartNames>> = chartNames()): ReadonlySet<string> {
  return new Set([...names.values()].flatMap((charts) => [...charts.values()].flatMap((c) => [...c.guards, ...c.actions, ...c.states])));
}

/** The names a guard or action table gives in its first column: each backticked name, without its parameters. */
export function namesInFirstColumn(table: string): string[] {
  const names: string[] = [];
  for (const row of table.split('\n')) {
    if (!row.startsWith('|') || /^\|\s*(Guard|Action|-+)\s*\|/.test(row)) continue;
    const first = row.split(/(?<!\\)\|/)[1] ?? '';
    for (const m of first.matchAll(/`([A-Za-z0-9_]+)(?:\([^`]*\))?`/g)) names.push(m[1]!);
  }
  return names;
}

/**
 * The state names of a state tree as docs/model.md draws it: each line's state, and the children a
 * line lists after it (`choosing → none | small`, `init | live | lost`, `handling.{onThreadStack, onAltstack}`).
 */
export function namesInStateTree(tree: string): string[] {
  const names: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^[│├└─\s]*([A-Za-z][A-Za-z0-9]*)(?:\s+\((?:parallel|final)\))?(?:\s+(.*))?$/.exec(line);
    if (!m) continue;
    names.push(m[1]!);
    // A description that is not a list of children ("the thread called exit") names no state.
    const children = m[2]?.replace(/\s*\(all final\)$/, '').replace(/^choosing → /, 'choosing | ');
    if (children === undefined || !children.includes(' | ')) continue;
    for (const child of children.split(' | ')) {
      const nested = /^([A-Za-z0-9]+)\.\{(.*)\}$/.exec(child.trim());
      names.push(...(nested ? [nested[1]!, ...nested[2]!.split(',').map((n) => n.trim())] : [child.trim()]));
    }
  }
  return names;
}

const CHECKED_CHART_BLOCK = /^(task|process)-(guards|actions|states)$/;

/**
 * What a checked block of chart names (`task-guards`, `process-guards`, `task-actions`,
 * `task-states`, `process-states`) gets wrong against the chart of `linux`: names it lacks and
 * names the chart does not have.
 */
export function checkChartBlock(name: string, body: string, names: ReadonlyMap<ChartName, ChartNames>): string | undefined {
  const m = CHECKED_CHART_BLOCK.exec(name);
  if (!m) return `nothing checks a block "${name}" (CHART-guards, CHART-actions or CHART-states, CHART being task or process)`;
  const kind = m[2] as keyof ChartNames;
  const expected = names.get(m[1] as ChartName)![kind];
  const listed = new Set(kind === 'states' ? namesInStateTree(body) : namesInFirstColumn(body));
  const missing = expected.filter((n) => !listed.has(n));
  const unknown = [...listed].filter((n) => !expected.includes(n));
  const what = kind.slice(0, -1);
  const problems = [
    ...(missing.length > 0 ? [`lacks the ${what}(s) ${missing.join(', ')}`] : []),
    ...(unknown.length > 0 ? [`names ${unknown.join(', ')}, which the chart does not have`] : []),
  ];
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/**
 * The camelCase names a doc gives in backticks (`killedBy(by)` counts as `killedBy`) that are not in
 * `known`: in docs/model.md and docs/variants.md such a name is a guard, an action or a state of the
 * charts, or a name of the code; one that is neither went stale when the code was renamed.
 */
export function unknownBacktickedNames(markdown: string, known: ReadonlySet<string>): string[] {
  const names = [...markdown.matchAll(/`([a-z][a-z0-9]*[A-Z][A-Za-z0-9]*)(?:\([^`]*\))?`/g)].map((m) => m[1]!);
  return [...new Set(names)].filter((n) => !known.has(n));
}

/** The long options each command declares (src/cli/*-command.ts), without --help. */
export function commandOptions(commands: readonly CommandSpec[]): ReadonlyMap<string, readonly string[]> {
  return new Map(commands.map((c) => [c.name, c.options.flatMap((o) => /--[a-z0-9-]+/.exec(o.flags)?.[0] ?? []).sort()]));
}

/**
 * A synopsis block: lines `npx amxstate COMMAND [--option ...] ...`. Each option a line names must be
 * one its command declares, and each option a command declares must be on one of its lines. The block
 * `synopsis` must cover every command; `synopsis-COMMAND` that one.
 */
export function checkSynopsis(name: string, body: string, options: ReadonlyMap<string, readonly string[]>): string | undefined {
  const mentioned = new Map<string, Set<string>>();
  for (const line of body.split('\n')) {
    const m = /^npx amxstate ([a-z-]+)(.*)$/.exec(line.trim());
    if (!m) continue;
    const set = mentioned.get(m[1]!) ?? new Set<string>();
    for (const o of m[2]!.matchAll(/--[a-z0-9-]+/g)) set.add(o[0]);
    mentioned.set(m[1]!, set);
  }
  const wanted = name === 'synopsis' ? [...options.keys()] : [name.slice('synopsis-'.length)];
  const problems: string[] = [];
  for (const command of wanted) {
    const declared = options.get(command);
    if (!declared) return `names no command amxstate has (${name})`;
    const seen = mentioned.get(command);
    if (!seen) {
      problems.push(`lacks amxstate ${command}`);
      continue;
    }
    const missing = declared.filter((o) => !seen.has(o));
    const unknown = [...seen].filter((o) => o !== '--help' && !declared.includes(o));
    if (missing.length > 0) problems.push(`lacks ${command} ${missing.join(', ')}`);
    if (unknown.length > 0) problems.push(`gives ${command} ${unknown.join(', ')}, which it does not have`);
  }
  for (const command of mentioned.keys()) if (!options.has(command)) problems.push(`names amxstate ${command}, which does not exist`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** An options table (`options-COMMAND`): its first column names exactly the command's long options. */
export function checkOptionsTable(name: string, body: string, options: ReadonlyMap<string, readonly string[]>): string | undefined {
  const command = name.slice('options-'.length);
  const declared = options.get(command);
  if (!declared) return `names no command amxstate has (${name})`;
  const listed = new Set<string>();
  for (const row of body.split('\n')) {
    if (!row.startsWith('|')) continue;
    const first = row.split(/(?<!\\)\|/)[1] ?? '';
    for (const m of first.matchAll(/`(--[a-z0-9-]+)/g)) listed.add(m[1]!);
  }
  const missing = declared.filter((o) => !listed.has(o));
  const unknown = [...listed].filter((o) => !declared.includes(o));
  const problems = [
    ...(missing.length > 0 ? [`lacks ${command} ${missing.join(', ')}`] : []),
    ...(unknown.length > 0 ? [`names ${unknown.join(', ')}, which ${command} does not have`] : []),
  ];
  return problems.length > 0 ? problems.join('; ') : undefined;
}

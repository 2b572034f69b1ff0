// The words a diagram prints for a transition: `EVENT [guard]`, and its actions. Shared by the DOT and
// Mermaid renderers so both say the same thing. Guards use words (not, and, or) rather than symbols:
// `&`, `|` and `!` are markup in one renderer or another, and words read aloud the way the chart is written.

import type { GraphTransition, GuardExpr } from '../model/chart-graph.js';

/** A guard expression as text: `not in(alive.tileConfig.configured)`, `a and (b or c)`, `killedBy(SIGILL)`. */
export function guardText(e: GuardExpr): string {
  // Mixed and/or always get parentheses, so nobody has to remember which binds tighter.
  const operand = (sub: GuardExpr, parent: 'and' | 'or'): string =>
    (sub.kind === 'and' || sub.kind === 'or') && sub.kind !== parent ? `(${guardText(sub)})` : guardText(sub);
  switch (e.kind) {
    case 'named':
      return e.params.length === 0 ? e.name : `${e.name}(${e.params.join(', ')})`;
    case 'in':
      return `in(${e.state})`;
    case 'inline':
      return 'inline';
    case 'not':
      return `not ${e.arg.kind === 'and' || e.arg.kind === 'or' ? `(${guardText(e.arg)})` : guardText(e.arg)}`;
    case 'and':
    case 'or':
      return e.args.map((a) => operand(a, e.kind)).join(` ${e.kind} `);
  }
}

/** `EVENT [guard]`, or just `EVENT` for an unguarded transition. */
export function triggerText(t: GraphTransition): string {
  return t.guard ? `${t.event} [${guardText(t.guard)}]` : t.event;
}

/** `/ a, b`, or the empty string when the transition runs no action. */
export function actionsText(t: GraphTransition): string {
  return t.actions.length === 0 ? '' : `/ ${t.actions.join(', ')}`;
}

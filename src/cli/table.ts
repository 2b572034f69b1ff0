// Renders observations as a readable fixed-width table.

import { altstackText, type Observation } from '../model/observation.js';
import { printable } from '../scenario/describe.js';

const COLUMNS: readonly { title: string; cell: (o: Observation) => string }[] = [
  { title: 'step', cell: (o) => String(o.step) },
  // A task name is the scenario's own text: escaped, so no control character reaches the terminal.
  { title: 'task', cell: (o) => (o.task === undefined ? '-' : printable(o.task)) },
  { title: 'op', cell: (o) => o.op },
  { title: 'outcome', cell: (o) => [o.outcome, o.si_code ? `(${o.si_code})` : ''].join(' ').trim() },
  { title: 'fatal', cell: (o) => (o.fatal === undefined ? '' : o.fatal ? 'yes' : 'no') },
  { title: 'handler', cell: (o) => o.handler ?? '' },
  { title: 'hang', cell: (o) => (o.hang ? 'yes' : '') },
  { title: 'bitmap', cell: (o) => o.bitmap ?? '' },
  { title: 'tiles', cell: (o) => o.tiles ?? '' },
  { title: 'frame tiles', cell: (o) => (o.frameHasTiles === undefined ? '' : o.frameHasTiles ? 'yes' : 'no') },
  { title: 'stack', cell: (o) => o.stack ?? '' },
  { title: 'altstack', cell: (o) => altstackText(o) },
  { title: 'buffer', cell: (o) => o.buffer ?? '' },
  { title: 'leaked', cell: (o) => (o.leakedBuffers === undefined ? '' : String(o.leakedBuffers)) },
];

export function renderTable(observations: readonly Observation[]): string {
  const rows = observations.map((o) => COLUMNS.map((c) => c.cell(o)));
  const used = COLUMNS.map((_, i) => i).filter((i) => i < 4 || rows.some((r) => r[i] !== ''));
  // A loop, not Math.max(...rows): a spread of 10^5 arguments can overflow the stack.
  const widths = used.map((i) => rows.reduce((w, r) => Math.max(w, r[i]!.length), COLUMNS[i]!.title.length));
  const line = (cells: readonly string[]) => used.map((i, k) => cells[i]!.padEnd(widths[k]!)).join('  ').trimEnd();
  return [line(COLUMNS.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w)).reduce<string[]>((acc, d, k) => { acc[used[k]!] = d; return acc; }, COLUMNS.map(() => ''))), ...rows.map(line)].join('\n');
}

// A scenario and its observations as a sequence diagram: one lifeline per task plus the kernel, each
// step an arrow to the kernel with the op and its fields, the outcome an arrow back, and the first bad
// step of a counterexample marked. Two pure renderers share one layout-free model: Mermaid text, and
// SVG drawn directly (Graphviz lays out sequences poorly, and Mermaid needs a browser to draw).

import type { Observation } from '../model/observation.js';
import type { Scenario } from '../scenario/format.js';
import { mermaidText } from './mermaid.js';
import { observationText } from '../model/observation-text.js';
import { escapeXml } from '../xml.js';

/** The step to highlight (1-based) and what to say about it, e.g. a property name or "diverges from kernel". */
export interface SequenceMark {
  readonly step: number;
  readonly label: string;
}

interface Message {
  readonly step: number;
  /** Index into participants. */
  readonly from: number;
  readonly call: string;
  readonly reply: string | null;
}

interface SequenceModel {
  readonly title: string | null;
  /** Tasks in order of appearance, then `environment` if a step needs it, then `kernel` (always last). */
  readonly participants: readonly string[];
  /** How many of the participants are tasks (the first ones). */
  readonly tasks: number;
  readonly messages: readonly Message[];
  readonly mark: SequenceMark | null;
  /** A lasso's cycle: the steps from this one to the last repeat forever (the scenario's `header.loopsFrom`). */
  readonly loopsFrom: number | null;
}

const KERNEL = 'kernel';
const ENVIRONMENT = 'environment';

/** The step's note as a mark when it says "first bad step" (as counterexamples do). */
function markFromNotes(scenario: Scenario): SequenceMark | null {
  const i = scenario.steps.findIndex((s) => s.note?.startsWith('first bad step') === true);
  return i < 0 ? null : { step: i + 1, label: scenario.steps[i]!.note! };
}


/** Who takes part and what each step says, in scenario order; `mark` wins over the steps' notes. */
export function sequenceModel(scenario: Scenario, observations: readonly Observation[], mark?: SequenceMark): SequenceModel {
  const tasks: string[] = [];
  const see = (name: string) => {
    if (!tasks.includes(name)) tasks.push(name);
  };
  for (const s of scenario.steps) {
    if (s.task !== undefined) see(s.task);
    const child = s.fields['child'];
    if (typeof child === 'string') see(child);
  }
  const needsEnvironment = scenario.steps.some((s) => s.task === undefined);
  const participants = [...tasks, ...(needsEnvironment ? [ENVIRONMENT] : []), KERNEL];
  const messages = scenario.steps.map((s, i): Message => {
    const fields = Object.entries(s.fields).map(([k, v]) => `${k}=${String(v)}`);
    const o = observations[i];
    return {
      step: i + 1,
      // A task may be called "environment" too: system steps use the participant after the tasks.
      from: s.task !== undefined ? tasks.indexOf(s.task) : tasks.length,
      call: [`${i + 1}. ${s.op}`, ...fields].join(' '),
      reply: o ? observationText(o) : null,
    };
  });
  const chosen = mark ?? markFromNotes(scenario);
  const loopsFrom = scenario.header?.loopsFrom;
  return {
    title: scenario.header?.id ?? null,
    participants,
    tasks: tasks.length,
    messages,
    mark: chosen && chosen.step >= 1 && chosen.step <= messages.length ? chosen : null,
    loopsFrom: loopsFrom !== undefined && loopsFrom <= messages.length ? loopsFrom : null,
  };
}

/** Mermaid `sequenceDiagram` text; the marked step sits in a tinted `rect` with a note over it. */
export function sequenceMermaid(scenario: Scenario, observations: readonly Observation[], mark?: SequenceMark): string {
  const model = sequenceModel(scenario, observations, mark);
  // Task names are free text: tasks get ids t1, t2, ... and their names as aliases.
  const ids = model.participants.map((p, i) => (i < model.tasks ? `t${i + 1}` : p));
  const lines = ['sequenceDiagram'];
  if (model.title) lines.push(`  title ${mermaidText(model.title)}`);
  model.participants.forEach((p, i) => lines.push(ids[i] === p ? `  participant ${p}` : `  participant ${ids[i]} as ${mermaidText(p)}`));
  const first = ids[0]!;
  for (const m of model.messages) {
    const from = ids[m.from]!;
    const marked = model.mark?.step === m.step;
    const looping = model.loopsFrom !== null && m.step >= model.loopsFrom;
    if (m.step === model.loopsFrom) lines.push('  loop repeats forever');
    const indent = marked || looping ? '    ' : '  ';
    if (marked) {
      lines.push('  rect rgb(255, 224, 214)');
      lines.push(`    Note over ${first},${KERNEL}: ${mermaidText(model.mark!.label)}`);
    }
    lines.push(`${indent}${from}->>${KERNEL}: ${mermaidText(m.call)}`);
    if (m.reply !== null) lines.push(`${indent}${KERNEL}-->>${from}: ${mermaidText(m.reply)}`);
    if (marked) lines.push('  end');
  }
  if (model.loopsFrom !== null) lines.push('  end');
  return `${lines.join('\n')}\n`;
}

const FONT_SIZE = 12;
/** Width of one character of the monospace font at FONT_SIZE, generously rounded up. */
const CHAR = 7.4;
const ROW = 22;
const BOX_H = 28;
const MARGIN = 20;
const MARK_FILL = '#ffe0d6';
const MARK_STROKE = '#d9480f';
const LOOP_STROKE = '#1864ab';

function textWidth(s: string): number {
  return Math.ceil(s.length * CHAR);
}

/**
 * The same diagram as standalone SVG text: participant boxes, dashed lifelines, a solid arrow per
 * step (class `call`, `data-step`) and a dashed one per outcome (class `reply`); the marked step on a
 * tinted band (class `marked`) with its label above. Widths come from the label lengths in a
 * monospace font, so the box always holds the text.
 */
export function sequenceSvg(scenario: Scenario, observations: readonly Observation[], mark?: SequenceMark): string {
  const model = sequenceModel(scenario, observations, mark);
  const n = model.participants.length;
  const boxW = model.participants.map((p) => Math.max(80, textWidth(p) + 20));
  // Lifelines left to right; the kernel is placed so that every label fits between its sender and it.
  const xs: number[] = [];
  let x = MARGIN + boxW[0]! / 2;
  for (let i = 0; i < n - 1; i++) {
    xs.push(x);
    x += Math.max(boxW[i]! / 2 + boxW[i + 1]! / 2 + 30, 130);
  }
  const labelEnd = Math.max(
    0,
    ...model.messages.map((m) => xs[m.from]! + 10 + Math.max(textWidth(m.call), m.reply === null ? 0 : textWidth(m.reply)) + 30),
  );
  xs.push(Math.max(x, labelEnd));
  const titleH = model.title ? ROW + 6 : 0;
  const top = MARGIN + titleH;
  const firstRow = top + BOX_H + 14;
  const rows: { m: Message; y: number }[] = [];
  let y = firstRow;
  for (const m of model.messages) {
    if (model.mark?.step === m.step || model.loopsFrom === m.step) y += ROW;
    rows.push({ m, y });
    y += m.reply === null ? ROW : 2 * ROW;
  }
  const bottom = y + 6;
  const markLabelEnd = model.mark ? MARGIN + 6 + textWidth(model.mark.label) : 0;
  const width = Math.ceil(Math.max(xs[n - 1]! + boxW[n - 1]! / 2, markLabelEnd) + MARGIN);
  const height = Math.ceil(bottom + BOX_H + MARGIN);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="${FONT_SIZE}">`,
    '<defs>',
    '<marker id="call-head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#212529"/></marker>',
    '<marker id="reply-head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10" fill="none" stroke="#495057"/></marker>',
    '</defs>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`,
  ];
  if (model.title) out.push(`<text x="${MARGIN}" y="${MARGIN + FONT_SIZE}" font-weight="bold">${escapeXml(model.title)}</text>`);
  // The marked band goes first so that arrows and text draw over it.
  for (const { m, y: rowY } of rows) {
    if (model.mark?.step !== m.step) continue;
    const bandTop = rowY - ROW - 4;
    const bandH = (m.reply === null ? 2 : 3) * ROW + 4;
    out.push(
      `<g class="marked" data-step="${m.step}">`,
      `<rect x="${MARGIN / 2}" y="${bandTop}" width="${width - MARGIN}" height="${bandH}" rx="4" fill="${MARK_FILL}" stroke="${MARK_STROKE}"/>`,
      `<text x="${MARGIN}" y="${rowY - 8}" fill="${MARK_STROKE}" font-weight="bold">${escapeXml(model.mark.label)}</text>`,
      '</g>',
    );
  }
  // A lasso's cycle in a dashed frame, labelled as repeating forever (UML's loop fragment).
  const looped = rows.filter(({ m }) => model.loopsFrom !== null && m.step >= model.loopsFrom);
  if (looped.length > 0) {
    const frameTop = looped[0]!.y - ROW + 2;
    const last = looped.at(-1)!;
    const frameBottom = last.y + (last.m.reply === null ? 1 : 2) * ROW + 4;
    out.push(
      `<g class="loop" data-from="${model.loopsFrom}">`,
      `<rect x="${MARGIN / 2}" y="${frameTop}" width="${width - MARGIN}" height="${frameBottom - frameTop}" rx="4" fill="none" stroke="${LOOP_STROKE}" stroke-dasharray="6 3"/>`,
      `<text x="${MARGIN}" y="${looped[0]!.y - 8}" fill="${LOOP_STROKE}" font-weight="bold">loop: repeats forever</text>`,
      '</g>',
    );
  }
  model.participants.forEach((p, i) => {
    const cx = xs[i]!;
    const w = boxW[i]!;
    out.push(`<g class="participant" data-name="${escapeXml(p)}">`);
    out.push(`<line x1="${cx}" y1="${top + BOX_H}" x2="${cx}" y2="${bottom}" stroke="#adb5bd" stroke-dasharray="4 4"/>`);
    for (const by of [top, bottom]) {
      out.push(`<rect x="${cx - w / 2}" y="${by}" width="${w}" height="${BOX_H}" rx="4" fill="#f1f3f5" stroke="#495057"/>`);
      out.push(`<text x="${cx}" y="${by + BOX_H / 2 + FONT_SIZE / 3}" text-anchor="middle">${escapeXml(p)}</text>`);
    }
    out.push('</g>');
  });
  const kernelX = xs[n - 1]!;
  for (const { m, y: rowY } of rows) {
    const fromX = xs[m.from]!;
    out.push(
      `<g class="call" data-step="${m.step}">`,
      `<text x="${fromX + 10}" y="${rowY + ROW - 10}">${escapeXml(m.call)}</text>`,
      `<line x1="${fromX}" y1="${rowY + ROW - 4}" x2="${kernelX}" y2="${rowY + ROW - 4}" stroke="#212529" marker-end="url(#call-head)"/>`,
      '</g>',
    );
    if (m.reply !== null) {
      const ry = rowY + ROW;
      out.push(
        `<g class="reply" data-step="${m.step}">`,
        `<text x="${fromX + 10}" y="${ry + ROW - 10}" fill="#343a40">${escapeXml(m.reply)}</text>`,
        `<line x1="${kernelX}" y1="${ry + ROW - 4}" x2="${fromX}" y2="${ry + ROW - 4}" stroke="#495057" stroke-dasharray="5 3" marker-end="url(#reply-head)"/>`,
        '</g>',
      );
    }
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

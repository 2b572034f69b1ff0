// The report as one self-contained HTML page: inline CSS, inline SVG, no script, and a content
// security policy that forbids every fetch. Pure: the same ReportData gives the same bytes.

import { VACUOUS_MEANING, verdictWords } from '../check/check.js';
import { stripProlog } from '../diagram/render.js';
import { hex, type PlatformProfile } from '../../machines/platform.js';
import type { Observation } from '../model/observation.js';
import { observationText } from '../model/observation-text.js';
import { escapeXml as e } from '../xml.js';
import { escapeJson, scopeSvgIds } from './escape.js';
import type { ConformanceInput, CounterexampleView, CoverageFigure, Figure, MatrixCell, ReportData, VariantColumn } from './model.js';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The page's own id for the verdict table, which tests and readers link to. */
export const MATRIX_ID = 'verdict-matrix';

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #212529; background: #fff; max-width: 78rem; margin: 0 auto; padding: 1rem 2rem 4rem; }
h1, h2, h3 { line-height: 1.2; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid #dee2e6; padding-bottom: 0.25rem; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
pre { background: #f8f9fa; border: 1px solid #e9ecef; padding: 0.5rem 0.75rem; overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #dee2e6; padding: 0.2rem 0.55rem; text-align: left; vertical-align: top; }
thead th { background: #f1f3f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
#${MATRIX_ID} td { white-space: nowrap; }
#${MATRIX_ID} td.holds { background: #ebfbee; }
#${MATRIX_ID} td.vacuous { background: #f8f9fa; color: #495057; }
#${MATRIX_ID} td.violated { background: #fff0f0; }
#${MATRIX_ID} td.unknown { background: #fff9db; }
#${MATRIX_ID} td.differs { outline: 3px solid #e03131; outline-offset: -3px; }
.expected { display: block; font-size: 0.8em; color: #c92a2a; }
.verdict-ok { color: #2b8a3e; font-weight: bold; }
.verdict-bad { color: #c92a2a; font-weight: bold; }
.verdict-none { color: #495057; font-weight: bold; }
figure { margin: 1rem 0 2rem; border: 1px solid #dee2e6; padding: 0.5rem; }
figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 0.9em; color: #495057; margin-top: 0.5rem; }
article.counterexample { border-top: 1px solid #dee2e6; margin-top: 2rem; }
tr.first-bad td { background: #ffe0d6; font-weight: bold; }
details { margin: 0.5rem 0; }
summary { cursor: pointer; }
dt { font-weight: bold; margin-top: 0.5rem; }
dd { margin-left: 1.5rem; }
.muted { color: #495057; }
`;

function svgFigure(f: Figure): string {
  return [
    `<figure id="${e(f.id)}">`,
    scopeSvgIds(stripProlog(f.svg).trim(), `${f.id}--`),
    `<figcaption>${e(f.caption)}</figcaption>`,
    '</figure>',
  ].join('\n');
}

function cellHtml(variant: string, property: string, c: MatrixCell | undefined): string {
  if (!c) return '<td class="missing">-</td>';
  const words = e(verdictWords(c));
  const text =
    c.verdict === 'violated' && c.anchor
      ? `<a href="#${e(c.anchor)}">${words}</a>`
      : c.verdict === 'holds' && c.vacuous
        ? `<abbr title="holds vacuously: ${VACUOUS_MEANING}">${words}</abbr>`
        : words;
  const classes = [c.verdict, ...(c.vacuous ? ['vacuous'] : []), ...(c.expected !== null ? ['differs'] : [])];
  const expected = c.expected !== null ? `<span class="expected">manifest: ${e(c.expected)}</span>` : '';
  const agreement = c.expected === null ? 'matches machines/manifest.json' : `differs from machines/manifest.json, which expects ${c.expected}`;
  return `<td class="${classes.join(' ')}" data-variant="${e(variant)}" data-verdict="${c.verdict}" data-manifest="${c.expected === null ? 'match' : 'differs'}" title="${e(`${variant}, ${property}: ${agreement}`)}">${text}${expected}</td>`;
}

function matrix(data: ReportData): string {
  const head = ['<th scope="col">property</th>', ...data.variants.map((v) => `<th scope="col">${e(v.variant)}</th>`)].join('');
  const rows = data.properties.map(
    (p) =>
      `<tr data-property="${e(p.name)}"><th scope="row"><a href="#prop-${e(p.name)}" title="${e(p.claim)}">${e(p.name)}</a></th>${data.variants
        .map((v) => cellHtml(v.variant, p.name, v.cells[p.name]))
        .join('')}</tr>`,
  );
  return [`<table id="${MATRIX_ID}">`, `<thead><tr>${head}</tr></thead>`, '<tbody>', ...rows, '</tbody>', '</table>'].join('\n');
}

function manifestVerdict(data: ReportData): string {
  if (!data.manifestEntry)
    return `<p class="verdict-none"><code>machines/manifest.json</code> has no entry for platform <code>${e(data.platform.name)}</code> under configuration "${e(data.config.name)}": these verdicts are compared with nothing.</p>`;
  if (data.mismatches.length === 0)
    return `<p class="verdict-ok">Every verdict matches <code>machines/manifest.json</code> for configuration "${e(data.config.name)}".</p>`;
  return [
    `<p class="verdict-bad">${data.mismatches.length} result(s) differ from <code>machines/manifest.json</code> (outlined in red above):</p>`,
    '<ul>',
    ...data.mismatches.map((m) => `<li><code>${e(m.variant)}</code> ${e(m.what)}: expected ${e(m.expected)}, found ${e(m.found)}</li>`),
    '</ul>',
  ].join('\n');
}

function statsTable(variants: readonly VariantColumn[]): string {
  const row = (v: VariantColumn) =>
    [
      `<tr data-variant="${e(v.variant)}">`,
      `<th scope="row">${e(v.variant)}</th>`,
      `<td class="num">${v.stats.states}</td>`,
      `<td class="num">${v.expectedStates ?? '-'}</td>`,
      `<td class="num">${v.stats.transitions}</td>`,
      `<td class="num">${v.stats.depth}</td>`,
      `<td>${v.stats.complete ? 'yes' : 'no (cut off)'}</td>`,
      `<td>${e(v.changes)}</td>`,
      '</tr>',
    ].join('');
  return [
    '<table id="variant-stats">',
    '<thead><tr><th scope="col">variant</th><th scope="col">distinct states</th><th scope="col">manifest states</th><th scope="col">transitions</th><th scope="col">depth</th><th scope="col">complete</th><th scope="col">what it changes against linux</th></tr></thead>',
    '<tbody>',
    ...variants.map(row),
    '</tbody>',
    '</table>',
  ].join('\n');
}

/** The modelled machine's numbers: they come from platform.ts, never from the machine running this. */
function platformTable(p: PlatformProfile): string {
  const rows: [string, string][] = [
    ['profile', `${p.name}: ${p.description}`],
    ['AMX usable (tile instructions exist)', p.amxUsable ? 'yes' : 'no'],
    ['ARCH_GET_XCOMP_SUPP', hex(p.xcompSupported)],
    ['ARCH_GET_XCOMP_PERM before any request', hex(p.defaultPermission)],
    ['AT_MINSIGSTKSZ', `${p.minSigStackSize} bytes`],
    ['MINSIGSTKSZ', `${p.legacyMinSigStackSize} bytes`],
    ['XSTATE user size with AMX', `${p.xstateMaxUserSize} bytes`],
    ['signal frame: default / AMX-expanded thread', `${p.frameBytes.default} / ${p.frameBytes.large} bytes`],
    ['altstack size classes small / window / large', `${p.altstackBytes.small} / ${p.altstackBytes.window} / ${p.altstackBytes.large} bytes`],
  ];
  return ['<table id="platform">', '<tbody>', ...rows.map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`), '</tbody>', '</table>'].join('\n');
}

function fieldsText(step: Readonly<Record<string, unknown>>): string {
  return Object.entries(step)
    .filter(([k]) => k !== 'task' && k !== 'op' && k !== 'note')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}


function counterexampleHtml(c: CounterexampleView): string {
  const n = c.scenario.steps.length;
  const rows = c.scenario.steps.map((s, i) => {
    const bad = i + 1 === c.firstBadStep;
    return [
      `<tr${bad ? ' class="first-bad"' : ''} data-step="${i + 1}">`,
      `<td class="num">${i + 1}</td>`,
      `<td class="mono">${e(String(s['task'] ?? '-'))}</td>`,
      `<td class="mono">${e(String(s['op']))}</td>`,
      `<td class="mono">${e(fieldsText(s))}</td>`,
      `<td class="mono">${e(observationText(c.observations[i]))}</td>`,
      `<td>${e(String(s['note'] ?? ''))}</td>`,
      '</tr>',
    ].join('');
  });
  const id = c.anchor;
  return [
    `<article class="counterexample" id="${e(id)}">`,
    `<h3><code>${e(c.variant)}</code>: ${e(c.property.name)} violated in ${n} step${n === 1 ? '' : 's'}</h3>`,
    `<p><strong>Claim:</strong> ${e(c.property.claim)}<br><strong>Source:</strong> ${e(c.property.source)}</p>`,
    `<p>The shortest path the checker found; the property first breaks at step ${c.firstBadStep} (highlighted). The outcomes are those of <code>simulate</code> replaying the path.</p>`,
    '<table class="steps">',
    '<thead><tr><th scope="col">#</th><th scope="col">task</th><th scope="col">op</th><th scope="col">fields</th><th scope="col">observed</th><th scope="col">note</th></tr></thead>',
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
    svgFigure({ id: `${id}-sequence`, caption: `The same steps as a sequence diagram, the first bad step on a tinted band.`, svg: c.sequenceSvg }),
    `<details><summary>Mermaid source of the sequence diagram</summary><pre><code>${e(c.sequenceMermaid)}</code></pre></details>`,
    `<details><summary>The counterexample as a scenario: save it and run <code>amxstate simulate FILE</code></summary><pre><code>${escapeJson(c.scenario)}</code></pre></details>`,
    '</article>',
  ].join('\n');
}

function coverageHtml(coverage: readonly CoverageFigure[] | null): string {
  if (coverage === null || coverage.length === 0) return '<p class="muted" id="no-coverage">No coverage data given.</p>';
  return coverage
    .map((c, i) => svgFigure({ id: `fig-coverage-${i + 1}`, caption: c.summary, svg: c.svg }))
    .join('\n');
}

function conformanceHtml(c: ConformanceInput | null): string {
  const host =
    c === null
      ? 'Whether the machine that generated it has AMX was not given.'
      : c.hostHasAmxTile === null
        ? 'Whether the machine that generated it has AMX is unknown: its /proc/cpuinfo could not be read.'
        : c.hostHasAmxTile
          ? 'The machine that generated it lists <code>amx_tile</code> in /proc/cpuinfo: run <code>amxstate conform --record docs/conformance</code> there and commit the run.'
          : 'The machine that generated it has no <code>amx_tile</code> in /proc/cpuinfo.';
  const runs = c?.runs ?? [];
  const intro =
    'A conformance run (<code>amxstate conform</code>) executes the generated suite and the litmus corpus on a real kernel and compares every step with what the model predicts for that machine.';
  if (runs.length === 0) return [`<p id="no-conformance">No conformance run is recorded with this report. ${intro}`, `${host}</p>`].join(' ');
  const amxRuns = runs.filter((r) => r.host.amxUsable).length;
  const rows = runs.map((r) => {
    const s = r.summary;
    const cells = [r.date, r.host.kernel, r.host.cpu, r.host.amxUsable ? 'yes' : 'no', r.platform, String(s.scenarios), String(s.agree), String(s.diverge), `${s.stepsCompared} / ${s.stepsModelOnly}`];
    const diverging = r.results.filter((x) => x.status === 'diverge').map((x) => `${x.id} (step ${x.divergence?.step ?? '?'}: ${(x.divergence?.fields ?? []).join(', ')})`);
    const notes = [...(r.via ? [`made by ${r.via}`] : []), ...(r.suite ? [`suite: ${r.suite}`] : []), ...diverging.map((d) => `diverges: ${d}`), ...r.settled.map((d) => `settled: ${d}`)];
    return `<tr>${cells.map((x) => `<td>${e(x)}</td>`).join('')}<td>${notes.length === 0 ? '' : e(notes.join('; '))}</td></tr>`;
  });
  return [
    `<p>${intro} ${runs.length} run(s) recorded under <code>docs/conformance/</code>; ${amxRuns === 0 ? '<strong>none on a machine with AMX yet</strong>' : `${amxRuns} on a machine with AMX`}. ${host}</p>`,
    '<table id="conformance-runs">',
    '<thead><tr><th>date</th><th>kernel</th><th>CPU</th><th>AMX</th><th>platform</th><th>scenarios</th><th>agree</th><th>diverge</th><th>steps compared / model-only</th><th>divergences and how they were settled</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
}

/** One sentence for the top of the page: how many cells are violated, and whether the manifest agrees. */
function atAGlance(data: ReportData): string {
  const cells = data.variants.length * data.properties.length;
  const violated = data.counterexamples.length;
  const manifest = !data.manifestEntry
    ? `<code>machines/manifest.json</code> has no entry for platform <code>${e(data.platform.name)}</code>`
    : data.mismatches.length === 0
      ? 'every verdict matches <code>machines/manifest.json</code>'
      : `${data.mismatches.length} result(s) differ from <code>machines/manifest.json</code>`;
  return `${violated} of ${cells} cells violated across ${data.variants.length} variants; ${manifest}.`;
}

function section(id: string, title: string, body: readonly string[]): string {
  return [`<section id="${id}">`, `<h2>${e(title)}</h2>`, ...body, '</section>'].join('\n');
}

/** The whole page. */
export function reportHtml(data: ReportData): string {
  const { config } = data;
  const violated = data.counterexamples.length;
  const body = [
    '<header>',
    `<h1>amxstate report: configuration "${e(config.name)}"</h1>`,
    `<p id="at-a-glance"><strong>${atAGlance(data)}</strong></p>`,
    '<p>The output of <code>amxstate report</code>: the verdicts of the exhaustive checker on every design variant of the Linux AMX dynamic-state model, the charts it checked, every counterexample with its replay, and the coverage and conformance evidence given to it. Everything but the conformance section follows from the model and the configuration alone, not from the machine that generated it; regenerate the page rather than editing it.</p>',
    '<nav><ul>',
    '<li><a href="#checked">What was checked</a></li>',
    `<li><a href="#verdicts">Verdict matrix</a></li>`,
    '<li><a href="#diagrams">Diagrams</a></li>',
    `<li><a href="#counterexamples">Counterexamples (${violated})</a></li>`,
    '<li><a href="#coverage">Coverage</a></li>',
    '<li><a href="#conformance">Conformance</a></li>',
    '</ul></nav>',
    '</header>',
    section('checked', 'What was checked', [
      `<p>Configuration <code>${e(config.name)}</code>: ${e(config.description)}. Bounds: at most ${count(config.maxProcesses, 'process', 'processes')}, ${count(config.maxThreadsPerProcess, 'thread', 'threads')} per process, ${count(config.maxExecs, 'successful exec', 'successful execs')} along a path, ${count(config.maxSignalDepth, 'signal handler', 'signal handlers')} running at once in a task. <code>amxstate report --config NAME</code> selects another configuration.</p>`,
      `<p>Ops the explorer may take (for every live task): ${config.ops
        .map((o) => `<code>${e([o.op, ...Object.entries(o.fields ?? {}).map(([k, v]) => `${k}=${String(v)}`)].join(' '))}</code>`)
        .join(', ')}.</p>`,
      `<p>The ${data.properties.length} properties are checked on every transition of the breadth-first search, for each of the ${data.variants.length} variants; a violated property's counterexample is a shortest one. The modelled machine:</p>`,
      platformTable(data.platform),
    ]),
    section('verdicts', 'Verdict matrix', [
      `<p><code>holds</code>: no transition within the configuration's bounds breaks the property. <code>holds*</code>: it holds vacuously, because ${VACUOUS_MEANING}. <code>violated (N)</code>: broken, with a shortest counterexample of N steps (follow the link). A red outline marks a cell that differs from <code>machines/manifest.json</code>.</p>`,
      matrix(data),
      manifestVerdict(data),
      '<h3>The search, per variant</h3>',
      statsTable(data.variants),
      '<h3 id="properties">The properties</h3>',
      '<dl>',
      ...data.properties.flatMap((p) => [`<dt id="prop-${e(p.name)}">${e(p.name)}</dt>`, `<dd>${e(p.claim)} <span class="muted">Source: ${e(p.source)}</span></dd>`]),
      '</dl>',
    ]),
    section('diagrams', 'Diagrams', [
      '<p>Drawn from the charts themselves, as <code>amxstate diagram</code> draws them (<code>docs/diagrams.md</code> says how to read them). Each picture scales to the width of the page; zoom in to read its labels.</p>',
      ...data.diagrams.map(svgFigure),
    ]),
    section('counterexamples', 'Counterexamples', violated === 0 ? ['<p>No property is violated.</p>'] : data.counterexamples.map(counterexampleHtml)),
    section('coverage', 'Coverage', [coverageHtml(data.coverage)]),
    section('conformance', 'Conformance', [conformanceHtml(data.conformance)]),
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // No fetch of any kind: the page must read the same offline, years from now.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>amxstate report: configuration ${e(config.name)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

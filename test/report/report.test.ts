// The report page without a browser: the same input gives the same bytes, nothing is fetched, the
// matrix has a row per property, every link lands, and foreign text is escaped. On the tiny
// configuration, which violates properties on every variant and is quick to check.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecordedRun } from '../../src/conform/record.js';
import { NO_AMX_LINUX_6_18 } from '../../machines/platform.js';
import { ALL_VARIANTS, loadManifest } from '../../src/check/check.js';
import { DEFAULT_REPORT_PATH, defaultReportPath, hostHasAmxTile, runReport } from '../../src/cli/report-command.js';
import { UsageError } from '../../src/cli/exit.js';
import { projectRoot } from '../../src/files.js';
import { CONFIGS } from '../../src/explore/config.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';
import { scopeSvgIds } from '../../src/report/escape.js';
import { escapeXml } from '../../src/xml.js';
import { MATRIX_ID, reportHtml } from '../../src/report/html.js';
import { gatherReport, type ReportData } from '../../src/report/model.js';

const TINY = CONFIGS['tiny']!;
/** A recorded run as conform --record writes it, with only what the report reads filled in. */
function recordedRun(host: { cpu: string; amxUsable?: boolean }, settled: string[]): RecordedRun {
  return {
    date: '2026-11-30',
    host: { kernel: '6.18.44', amxUsable: false, ...host } as RecordedRun['host'],
    platform: 'host',
    summary: { scenarios: 2, agree: 1, diverge: 1, steps: 9, stepsCompared: 8, stepsModelOnly: 1, wallMs: 5 },
    results: [{ id: 'perm-request', status: 'diverge', steps: 4, compared: 4, wallMs: 1, divergence: { step: 1, fields: ['bitmap'], model: { step: 1, op: 'GET_PERM', outcome: 'ok' }, kernel: null } }],
    settled,
  };
}

const NASTY = `</pre><script>alert("x")</script> & 'q' <b>`;

let data: ReportData;
let html = '';
let dir = '';

beforeAll(async () => {
  data = await gatherReport({ config: TINY, conformance: { hostHasAmxTile: false } });
  html = reportHtml(data);
  dir = mkdtempSync(join(tmpdir(), 'amxstate-report-'));
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The values of one attribute throughout the page. */
function attributeValues(page: string, name: string): string[] {
  return [...page.matchAll(new RegExp(`\\s${name}="([^"]*)"`, 'g'))].map((m) => m[1]!);
}

function matrixHtml(page: string): string {
  const start = page.indexOf(`<table id="${MATRIX_ID}">`);
  return page.slice(start, page.indexOf('</table>', start));
}

describe('amxstate report, the page', () => {
  it('is byte-identical when generated twice from the same model and configuration', async () => {
    const again = reportHtml(await gatherReport({ config: TINY, conformance: { hostHasAmxTile: false } }));
    expect(again).toBe(html);
  });

  it('is self-contained: no script, no stylesheet link, no external src, href or url()', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|<embed|@import/i);
    for (const v of [...attributeValues(html, 'src'), ...attributeValues(html, 'href'), ...attributeValues(html, 'xlink:href')])
      expect(v, `a link to ${v}`).toMatch(/^#/);
    expect([...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]!).filter((u) => !u.startsWith('#'))).toEqual([]);
    // What remains of http: the SVG namespaces, which are names, never fetched.
    const http = [...html.matchAll(/https?:\/\/[^\s"'<)]*/g)].map((m) => m[0]);
    expect(new Set(http)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('has one matrix row per property, in catalogue order, and one column per variant', () => {
    const matrix = matrixHtml(html);
    expect(attributeValues(matrix, 'data-property')).toEqual(PROPERTIES.map((p) => p.name));
    expect([...matrix.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1])).toEqual(['property', ...ALL_VARIANTS]);
    expect(attributeValues(matrix, 'data-verdict')).toHaveLength(PROPERTIES.length * ALL_VARIANTS.length);
  });

  it('links every violated cell to a counterexample section that exists, and gives every id once', () => {
    const ids = attributeValues(html, 'id');
    expect(ids.length).toBe(new Set(ids).size);
    const links = attributeValues(matrixHtml(html), 'href').filter((h) => h.startsWith('#cx-'));
    const violated = data.variants.flatMap((v) => Object.values(v.cells).filter((c) => c.verdict === 'violated'));
    expect(links).toHaveLength(violated.length);
    expect(links.length).toBeGreaterThan(0);
    for (const h of attributeValues(html, 'href')) expect(ids, h).toContain(h.slice(1));
  });

  it('shows the tiny verdicts as the checker finds them, and holds* where they are vacuous', () => {
    const linux = data.variants.find((v) => v.variant === 'linux')!;
    expect(linux.cells['BuffersAreFreedOnExecAndExit']).toMatchObject({ verdict: 'violated', steps: 4, anchor: 'cx-linux--BuffersAreFreedOnExecAndExit' });
    expect(linux.cells['QueriesArePure']).toMatchObject({ verdict: 'holds', vacuous: true });
    expect(html).toContain('<a href="#cx-linux--BuffersAreFreedOnExecAndExit">violated (4)</a>');
    expect(html).toMatch(/<abbr [^>]*>holds\*<\/abbr>/);
    const recorded = loadManifest().configs['tiny']?.states?.['linux'];
    expect(recorded).toBeGreaterThan(0);
    expect(linux.stats).toEqual({ states: recorded, transitions: linux.stats.transitions, depth: linux.stats.depth, complete: true });
    expect(linux.expectedStates).toBe(recorded);
  });

  it('marks the first bad step of each counterexample, with its observations and sequence diagram', () => {
    const cx = data.counterexamples.find((c) => c.anchor === 'cx-linux--BuffersAreFreedOnExecAndExit')!;
    expect(cx.observations).toHaveLength(cx.scenario.steps.length);
    const start = html.indexOf(`<article class="counterexample" id="${cx.anchor}">`);
    const article = html.slice(start, html.indexOf('</article>', start));
    expect(article.match(/<tr class="first-bad" data-step="(\d+)">/)?.[1]).toBe(String(cx.scenario.steps.length));
    expect(article).toContain(escapeXml(cx.property.claim));
    expect(article).toContain(`<g class="marked" data-step="${cx.firstBadStep}">`);
    expect(article).toContain('<details><summary>Mermaid source');
    expect(article).toContain('sequenceDiagram');
  });

  it('prints no timing, so nothing in it depends on the moment it was made', () => {
    expect(html).not.toMatch(/states\/s|seconds|\d\.\d\d s\b/);
  });

  it('says when no coverage data or conformance run is given, and shows coverage figures when they are', () => {
    expect(html).toContain('No coverage data given.');
    expect(html).toContain('No conformance run is recorded');
    expect(html).toContain('has no <code>amx_tile</code> in /proc/cpuinfo');
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><g id="s:task"><rect width="5" height="5"/></g></svg>';
    const page = reportHtml({ ...data, coverage: [{ svg, summary: '12 of 40 transitions covered' }] });
    expect(page).not.toContain('No coverage data given.');
    expect(page).toContain('<figure id="fig-coverage-1">');
    expect(page).toContain('<g id="fig-coverage-1--s:task">');
    expect(page).toContain('<figcaption>12 of 40 transitions covered</figcaption>');
  });

  it('lists every recorded conformance run, with its divergences and how they were settled, and says when none had AMX', () => {
    const page = reportHtml({ ...data, conformance: { hostHasAmxTile: false, runs: [recordedRun({ cpu: 'AMD EPYC' }, [])] } });
    expect(page).not.toContain('No conformance run is recorded');
    expect(page).toContain('<table id="conformance-runs">');
    expect(page).toContain('<td>AMD EPYC</td><td>no</td>');
    expect(page).toContain('none on a machine with AMX yet');
    const amx = reportHtml({ ...data, conformance: { hostHasAmxTile: true, runs: [recordedRun({ cpu: 'Xeon', amxUsable: true }, ['perm-request: model fixed'])] } });
    expect(amx).toContain('1 on a machine with AMX');
    expect(amx).toContain('settled: perm-request: model fixed');
  });

  it('escapes foreign text wherever it lands', () => {
    const page = reportHtml({
      ...data,
      config: { ...data.config, description: NASTY },
      coverage: [{ svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>', summary: NASTY }],
      conformance: { hostHasAmxTile: true, runs: [recordedRun({ cpu: NASTY }, [NASTY])] },
      properties: data.properties.map((p, i) => (i === 0 ? { ...p, claim: NASTY, source: NASTY } : p)),
    });
    expect(page).not.toContain(NASTY);
    expect(page).not.toContain('<script');
    expect(page).toContain(escapeXml(NASTY));
    expect(escapeXml(NASTY)).toBe('&lt;/pre&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; &lt;b&gt;');
  });
});

describe('scopeSvgIds', () => {
  it('prefixes ids and the references to them inside tags, and leaves text alone', () => {
    const svg = '<svg><marker id="head"/><line marker-end="url(#head)"/><a xlink:href="#n1" data-id="x"><text>id="head"</text></a></svg>';
    expect(scopeSvgIds(svg, 'f--')).toBe(
      '<svg><marker id="f--head"/><line marker-end="url(#f--head)"/><a xlink:href="#f--n1" data-id="x"><text>id="head"</text></a></svg>',
    );
  });
});

describe('amxstate report, the command', () => {
  it('writes the page where --out says, creating its folders, and prints one line with its size', async () => {
    const out = join(dir, 'new/folder/report.html');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await runReport({ config: 'tiny', out, quiet: true })).toBe(0);
      const page = readFileSync(out, 'utf8');
      expect(write.mock.calls.map((c) => String(c[0]))).toEqual([`amxstate report: wrote ${out} (${Buffer.byteLength(page)} bytes, configuration "tiny")\n`]);
      expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
      // The command paints both charts with the generated suite's coverage.
      expect(page).not.toContain('No coverage data given.');
      expect(page).toContain('<figure id="fig-coverage-2">');
      expect(page).toMatch(/generated scenarios of configuration tiny take \d+ of \d+ transitions/);
    } finally {
      write.mockRestore();
    }
  });

  const defaults = { out: DEFAULT_REPORT_PATH, config: 'default' };
  it.each([
    [{ ...defaults, config: 'huge' }, [], /^report: --config: unknown configuration "huge"/],
    [defaults, ['extra'], /^report: unexpected argument "extra"/],
    [{ ...defaults, out: '' }, [], /^report: --out: empty file name/],
  ])('refuses %j %j with one line', async (values, operands, message) => {
    await expect(runReport(values, operands)).rejects.toThrow(UsageError);
    await expect(runReport(values, operands)).rejects.toThrow(message);
  });

  it.each([
    ['a directory', () => dir, 'EISDIR'],
    ['a folder under a plain file', () => (writeFileSync(join(dir, 'plain'), 'x'), join(dir, 'plain/report.html')), 'ENOTDIR'],
    ['a folder that cannot be made', () => '/proc/amxstate/report.html', 'ENOENT'],
  ])('finds a bad --out (%s) at once, before any of the work, in one line', async (_what, out, code) => {
    const path = out();
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const started = performance.now();
    try {
      // The default configuration takes many seconds to check: failing at once means it was never started.
      await expect(runReport({ config: 'default', out: path })).rejects.toThrow(UsageError);
      await expect(runReport({ config: 'default', out: path })).rejects.toThrow(`report: cannot write ${path}: ${code}`);
      expect(performance.now() - started).toBeLessThan(2000);
      // Not a word of progress either.
      expect(err).not.toHaveBeenCalled();
    } finally {
      err.mockRestore();
    }
  });

  it('writes docs/report.html under the project root by default, wherever it runs from', () => {
    expect(DEFAULT_REPORT_PATH).toBe('docs/report.html');
    expect(defaultReportPath()).toBe(join(projectRoot(), 'docs', 'report.html'));
    expect(isAbsolute(defaultReportPath())).toBe(true);
  });

  it('reads amx_tile from the flags line of /proc/cpuinfo', () => {
    const cpuinfo = join(dir, 'cpuinfo');
    writeFileSync(cpuinfo, 'processor\t: 0\nflags\t\t: fpu sse avx512f amx_bf16 amx_tile amx_int8\n');
    expect(hostHasAmxTile(cpuinfo)).toBe(true);
    writeFileSync(cpuinfo, 'processor\t: 0\nflags\t\t: fpu sse avx512f\nbugs\t\t: amx_tile\n');
    expect(hostHasAmxTile(cpuinfo)).toBe(false);
    expect(hostHasAmxTile(join(dir, 'missing'))).toBe(null);
  });
});

describe('amxstate report --platform', () => {
  it('on no-amx: the matrix is held against the no-amx manifest entry, and the platform table says there is no AMX', async () => {
    const noAmx = await gatherReport({ config: TINY, platform: NO_AMX_LINUX_6_18 });
    expect(noAmx.platform).toBe(NO_AMX_LINUX_6_18);
    expect(noAmx.manifestEntry).toBe(true);
    expect(noAmx.mismatches).toEqual([]);
    // observed-no-amx-6.18.md: no permission can be granted, so nothing AMX breaks and no counterexample exists.
    expect(noAmx.counterexamples).toEqual([]);
    const page = reportHtml(noAmx);
    expect(page).toContain('no-amx: Intel Xeon VM whose hypervisor hides AMX');
    expect(page).toMatch(/AMX usable \(tile instructions exist\)<\/th><td>no</);
    expect(page).toContain('Every verdict matches <code>machines/manifest.json</code>');
  }, 60_000);

  it('on a platform the manifest does not record, the page says that nothing was compared', () => {
    const page = reportHtml({ ...data, manifestEntry: false, mismatches: [], platform: { ...data.platform, name: 'host' } });
    expect(page).toContain('<code>machines/manifest.json</code> has no entry for platform <code>host</code>');
    expect(page).not.toContain('Every verdict matches');
  });

  it('refuses an unknown platform with one line', async () => {
    await expect(runReport({ out: DEFAULT_REPORT_PATH, config: 'default', platform: 'sapphire' })).rejects.toThrow(/^report: --platform: "sapphire" is neither a platform/);
  });
});

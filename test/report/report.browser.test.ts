// The report page in a real browser: Debian's Chromium, driven by playwright-core (which never
// downloads a browser). It opens the page from file://, as a reader would, and checks what only a
// browser can tell: nothing is fetched, every picture has a size, every matrix link lands. Without
// /usr/bin/chromium (README: `sudo apt-get install chromium`) each test skips with one line saying so.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { CONFIGS } from '../../src/explore/config.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';
import { MATRIX_ID, reportHtml } from '../../src/report/html.js';
import { gatherReport } from '../../src/report/model.js';
import { coverageFigures } from '../../src/report/coverage-figures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = join(ROOT, 'test-results/report.png');

let browser: Browser | undefined;
let page: Page | undefined;
/** Why the browser tests cannot run here; empty when they can. */
let skipReason = '';
let dir = '';
let url = '';
const requests: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    skipReason = `${CHROMIUM} not found: the report's browser test skips (install Debian's chromium package to run it)`;
  } else {
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 20_000 });
    } catch (e) {
      skipReason = `cannot launch ${CHROMIUM}, the report's browser test skips: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`;
    }
  }
  if (!browser) {
    console.warn(`amxstate: ${skipReason}`);
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'amxstate-report-browser-'));
  const file = join(dir, 'report.html');
  const coverage = await coverageFigures(CONFIGS['tiny']!);
  writeFileSync(file, reportHtml(await gatherReport({ config: CONFIGS['tiny']!, coverage, conformance: { hostHasAmxTile: false } })));
  url = pathToFileURL(file).href;
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto(url, { waitUntil: 'load' });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The open page, or a skip with the reason when there is no browser. */
function openPage(ctx: TestContext): Page {
  if (!page) ctx.skip(skipReason);
  return page;
}

describe('the report in Chromium', () => {
  it('fetches nothing but the file itself, and breaks no content security rule', (ctx) => {
    openPage(ctx);
    expect(requests).toEqual([url]);
    expect(consoleErrors).toEqual([]);
  });

  it('draws every SVG with a non-empty box', async (ctx) => {
    const boxes = await openPage(ctx).$$eval('svg', (svgs) =>
      svgs.map((s) => {
        const r = s.getBoundingClientRect();
        return { id: s.closest('figure')?.id ?? '', width: r.width, height: r.height };
      }),
    );
    expect(boxes.length).toBeGreaterThan(5);
    for (const b of boxes) {
      expect(b.width, b.id).toBeGreaterThan(0);
      expect(b.height, b.id).toBeGreaterThan(0);
    }
  });

  it('scales the large charts to the page width, keeping their viewBox', async (ctx) => {
    const chart = await openPage(ctx).$eval('#fig-linux-task svg', (s) => ({
      width: s.getBoundingClientRect().width,
      figure: s.closest('figure')!.getBoundingClientRect().width,
      viewBox: s.getAttribute('viewBox'),
    }));
    expect(chart.viewBox).toMatch(/^0\.00 0\.00 \d+/);
    expect(chart.width).toBeLessThanOrEqual(chart.figure);
  });

  it('has one matrix row per property, and every violated cell links to a section that exists', async (ctx) => {
    const p = openPage(ctx);
    const rows = await p.$$eval(`#${MATRIX_ID} tr[data-property]`, (trs) => trs.map((tr) => tr.getAttribute('data-property')));
    expect(rows).toEqual(PROPERTIES.map((x) => x.name));
    const links = await p.$$eval(`#${MATRIX_ID} td[data-verdict="violated"]`, (tds) =>
      tds.map((td) => {
        const href = td.querySelector('a')?.getAttribute('href') ?? '';
        return { href, target: href.startsWith('#') && document.getElementById(href.slice(1))?.tagName === 'ARTICLE' };
      }),
    );
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect(l, l.href).toEqual({ href: l.href, target: true });
  });

  it('saves a full-page screenshot to test-results/report.png', async (ctx) => {
    const p = openPage(ctx);
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await p.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});

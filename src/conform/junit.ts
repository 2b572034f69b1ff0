// A conformance run as JUnit XML, for CI systems that draw test results.

import type { CaseResult } from './conform.js';
import { escapeXml } from '../xml.js';

export function junitXml(results: readonly CaseResult[], suiteName: string, wallMs: number): string {
  const failures = results.filter((r) => r.status === 'diverge').length;
  const cases = results.map((r) => {
    const head = `  <testcase classname="amxstate.conform" name="${escapeXml(r.id)}" time="${(r.wallMs / 1000).toFixed(3)}">`;
    const body: string[] = [];
    if (r.divergence) {
      const d = r.divergence;
      body.push(
        `    <failure message="${escapeXml(`step ${d.step} diverges in ${d.fields.join(', ')}`)}">${escapeXml(`model:  ${JSON.stringify(d.model)}\nkernel: ${JSON.stringify(d.kernel)}`)}</failure>`,
      );
    }
    if (r.modelOnly) body.push(`    <system-out>${escapeXml(`steps ${r.modelOnly.step}..${r.steps} are model-only: ${r.modelOnly.op}: ${r.modelOnly.why}`)}</system-out>`);
    return body.length === 0 ? `${head}</testcase>` : [head, ...body, '  </testcase>'].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="${escapeXml(suiteName)}" tests="${results.length}" failures="${failures}" errors="0" skipped="0" time="${(wallMs / 1000).toFixed(3)}">`,
    ...cases,
    '</testsuite>',
    '',
  ].join('\n');
}

// `amxstate check`: the verdict matrix, its statistics, and each counterexample as numbered steps.

import { command, type OptionValues } from './command.js';
import { EXIT, UsageError } from './exit.js';
import { isVariantName, type VariantName } from '../../machines/variants.js';
import { CONFIGS } from '../explore/config.js';
import { ALL_VARIANTS, checkVariant, compareWithManifest, hasManifestEntry, loadManifest, type VariantCheck } from '../check/check.js';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { platformOption } from '../platform/resolve.js';
import { PROPERTIES } from '../properties/catalogue.js';

export class CheckUsageError extends UsageError {}

function renderMatrix(results: readonly VariantCheck[]): string {
  const head = ['property', ...results.map((r) => r.variant)];
  const rows = PROPERTIES.map((p) => [
    p.name,
    ...results.map((r) => {
      const c = r.cells[p.name];
      if (!c) return '-';
      if (c.verdict === 'violated') return `violated (${c.counterexample?.steps.length ?? '?'})`;
      return !r.stats.complete ? 'unknown' : c.vacuous ? 'holds*' : 'holds';
    }),
  ]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function renderCounterexamples(results: readonly VariantCheck[]): string {
  return results
    .flatMap((r) =>
      Object.entries(r.cells).flatMap(([name, c]) => {
        if (!c.counterexample) return [];
        const steps = c.counterexample.steps.map((s, i) => {
          const { note, ...step } = s;
          return `  ${String(i + 1).padStart(2)}. ${JSON.stringify(step)}${note !== undefined ? '   <- first bad step' : ''}`;
        });
        return [`${r.variant}: ${name} violated in ${steps.length} step${steps.length === 1 ? "" : "s"}`, ...steps];
      }),
    )
    .join('\n');
}

interface CheckValues extends OptionValues {
  variant?: string;
  config: string;
  json: boolean;
  'max-states'?: string;
  counterexamples: boolean;
  platform?: string;
}

export const CHECK = command<CheckValues>({
  name: 'check',
  summary: 'explore the model exhaustively; print the verdict matrix and compare it with machines/manifest.json',
  options: [
    { flags: '--variant <V>', description: 'one design variant (default: all five)' },
    { flags: '--config <NAME>', description: 'exploration bounds: tiny, default, wide, forks, large', default: 'default' },
    { flags: '--platform <P>', description: 'platform profile: a name, host (measured here) or a measurement FILE' },
    { flags: '--json', description: 'everything as one JSON object, counterexamples as scenarios', default: false },
    { flags: '--max-states <N>', description: 'stop after N states (then exit 4: nothing differs, nothing proven)' },
    { flags: '--counterexamples', description: 'print every counterexample as numbered steps', default: false },
  ],
  run: runCheck,
});

export function runCheck(values: CheckValues): number {
  const config = CONFIGS[values.config ?? 'default'];
  if (!config) throw new CheckUsageError(`check: --config: unknown configuration "${values.config}" (one of ${Object.keys(CONFIGS).join(', ')})`);
  if (values.variant !== undefined && !isVariantName(values.variant))
    throw new CheckUsageError(`check: --variant: unknown variant "${values.variant}" (one of ${ALL_VARIANTS.join(', ')})`);
  const maxStates = values['max-states'] === undefined ? undefined : Number(values['max-states']);
  if (maxStates !== undefined && (!Number.isInteger(maxStates) || maxStates < 1))
    throw new CheckUsageError(`check: --max-states: expected a positive integer, got "${values['max-states']}"`);
  const platform = values.platform !== undefined ? platformOption('check', values.platform) : DEFAULT_PLATFORM;
  const variants: readonly VariantName[] = values.variant ? [values.variant as VariantName] : ALL_VARIANTS;
  const progress =
    process.stderr.isTTY && !values.json
      ? (variant: string) => (states: number, depth: number) => process.stderr.write(`\r${variant}: ${states} states, depth ${depth}   `)
      : undefined;
  const results = variants.map((v) => {
    const r = checkVariant(v, config, { platform, ...(maxStates !== undefined ? { maxStates } : {}), ...(progress ? { onProgress: progress(v) } : {}) });
    if (progress) process.stderr.write('\r\x1b[K');
    return r;
  });
  const incomplete = results.filter((r) => !r.stats.complete);
  const manifest = loadManifest();
  // A platform the manifest does not record (a measured host, a file) has nothing to compare against.
  const recorded = hasManifestEntry(manifest, config.name, platform.name);
  const mismatches = recorded ? compareWithManifest(results, manifest, config.name, platform.name) : [];
  const stats = Object.fromEntries(results.map((r) => [r.variant, r.stats]));
  const onPlatform = platform === DEFAULT_PLATFORM ? '' : ` on platform ${platform.name}`;
  if (values.json) {
    const out = {
      config: config.name,
      ...(platform === DEFAULT_PLATFORM ? {} : { platform: platform.name, manifestEntry: recorded }),
      variants: Object.fromEntries(results.map((r) => [r.variant, r.cells])),
      stats,
      mismatches,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    const lines = [
      `amxstate check: configuration "${config.name}": ${config.description}`,
      ...(platform === DEFAULT_PLATFORM ? [] : [`platform ${platform.name}: ${platform.description}`]),
      '',
      renderMatrix(results),
      ...(results.some((r) => Object.values(r.cells).some((c) => c.vacuous)) ? ['holds* = vacuously: the configuration has none of the ops that could break it'] : []),
      ...(incomplete.length > 0 ? ['unknown = not violated within --max-states; not proven'] : []),
      '',
      ...results.map(
        (r) =>
          `${r.variant.padEnd(24)} ${String(r.stats.states).padStart(8)} states ${String(r.stats.transitions).padStart(9)} transitions  depth ${r.stats.depth}  ${r.stats.seconds.toFixed(2)} s  ${r.stats.statesPerSecond} states/s${r.stats.complete ? '' : '  (stopped at --max-states)'}`,
      ),
    ];
    if (values.counterexamples) lines.push('', renderCounterexamples(results));
    if (!recorded)
      lines.push('', `machines/manifest.json has no entry for platform ${platform.name} under configuration "${config.name}": nothing to compare these verdicts with.`);
    else
      lines.push('', mismatches.length === 0 ? `Every verdict${onPlatform} matches machines/manifest.json.` : `${mismatches.length} result(s)${onPlatform} differ from machines/manifest.json:`);
    for (const m of mismatches) lines.push(`  ${m.variant} ${m.what}: expected ${m.expected}, found ${m.found}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (incomplete.length > 0) {
    process.stderr.write(
      `amxstate: check stopped at --max-states ${maxStates} for ${incomplete.map((r) => r.variant).join(', ')} before exploring every state: their unviolated properties are unknown, not proven\n`,
    );
    return mismatches.length === 0 ? EXIT.incomplete : EXIT.mismatch;
  }
  return mismatches.length === 0 ? EXIT.ok : EXIT.mismatch;
}

// `amxstate platform`: what this machine is, as the model needs it, and the profile made from it.

import { command, type OptionValues } from './command.js';
import { hex, profileFromMeasurement } from '../../machines/platform.js';
import { measureHost } from '../kernel/measure.js';
import { EXIT } from './exit.js';

interface PlatformValues extends OptionValues {
  json: boolean;
}

export const PLATFORM = command<PlatformValues>({
  name: 'platform',
  summary: 'measure this machine: AMX, xstate sizes, signal-stack limits, and the profile made from them',
  options: [{ flags: '--json', description: 'the raw measurement as JSON (usable as --platform FILE)', default: false }],
  run: runPlatform,
});

export function runPlatform(values: PlatformValues): number {
  const m = measureHost();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
    return EXIT.ok;
  }
  const p = profileFromMeasurement(m);
  const x = m.cpuidXsave;
  const component = (c: { size: number; offset: number } | null) => (c ? `${c.size} B at ${c.offset}` : 'not described');
  const rows: [string, string][] = [
    ['kernel', m.kernel],
    ['CPU', m.cpu],
    ['amx_tile in /proc/cpuinfo', m.amxTile ? 'yes' : 'no'],
    ['AMX usable (ARCH_GET_XCOMP_SUPP bit 18)', m.amxUsable ? 'yes' : 'no'],
    ['ARCH_GET_XCOMP_SUPP', m.xcompSupported],
    ['ARCH_GET_XCOMP_PERM (default)', m.defaultPermission],
    ['ARCH_GET_XCOMP_GUEST_PERM (default)', m.defaultGuestPermission],
    ['ARCH_REQ_XCOMP_PERM(18) in a child', m.requestPermission18],
    ['XCR0', x.xcr0],
    ['CPUID 0xD: size for XCR0 / largest', `${x.userSize} / ${x.maxSize}`],
    ['CPUID 0xD: XFD', x.xfd ? 'yes' : 'no'],
    ['CPUID 0xD,17 (XTILECFG)', component(x.tileConfig)],
    ['CPUID 0xD,18 (XTILEDATA)', component(x.tileData)],
    ['AT_MINSIGSTKSZ', String(m.minSigStackSize)],
    ['smallest altstack sigaltstack() accepts', String(m.sigaltstackMinimum)],
    ['strict sigaltstack sizing', m.strictSigaltstack ? 'yes' : 'no'],
    ['altstack bytes of one signal frame / two nested', `${m.frameBytes} / ${m.nestedFrameBytes}`],
    ['/dev/kvm', m.kvm ? 'usable' : 'not usable'],
    ['root', m.root ? 'yes' : 'no'],
    ['profile: altstack classes small / window / large', `${p.altstackBytes.small} / ${p.altstackBytes.window} / ${p.altstackBytes.large} bytes`],
    ['profile: GET_SUPP the model reports', hex(p.xcompSupported)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  return EXIT.ok;
}

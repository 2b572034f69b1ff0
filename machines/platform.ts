// The numbers a model needs from the machine it describes: bitmaps, sizes and thresholds.
// The default profile is the measured machine of shared/observed-linux-6.18.md; `no-amx` is the
// machine of shared/observed-no-amx-6.18.md; profileFromMeasurement() makes one from any machine.

import type { PlatformMeasurement } from './measurement.js';
import { lookupTable } from '../src/own.js';

export const XFEATURE_XTILE_CFG = 17;
export const XFEATURE_XTILE_DATA = 18;
export const XTILE_CFG_MASK = 1 << XFEATURE_XTILE_CFG;
export const XTILE_DATA_MASK = 1 << XFEATURE_XTILE_DATA;

/** The sigaltstack size classes a scenario may name. */
export const ALTSTACK_CLASSES = ['small', 'window', 'large'] as const;
export type AltstackClass = (typeof ALTSTACK_CLASSES)[number];

/** An altstack size as a scenario gives it: a byte count, or a class that stands for the platform's bytes. */
export type AltstackSize = AltstackClass | number;

/** The bytes a scenario's altstack size stands for on platform `p`. */
export function altstackSizeBytes(p: PlatformProfile, size: AltstackSize): number {
  return typeof size === 'number' ? size : p.altstackBytes[size];
}

export interface PlatformProfile {
  readonly name: string;
  readonly description: string;
  /** ARCH_GET_XCOMP_SUPP has bit 18: the CPU has AMX, the kernel enabled it, tile instructions exist. */
  readonly amxUsable: boolean;
  /** ARCH_GET_XCOMP_SUPP: fpu_user_cfg.max_features | legacy features. */
  readonly xcompSupported: number;
  /** ARCH_GET_XCOMP_PERM before any request: the default features (XTILECFG included where AMX exists). */
  readonly defaultPermission: number;
  /** XFEATURE_MAX: requests for component numbers at or above it are EINVAL. */
  readonly xfeatureMax: number;
  /** AT_MINSIGSTKSZ = max_frame_size, computed at boot with AMX included where the CPU has it. */
  readonly minSigStackSize: number;
  /** MINSIGSTKSZ: sigaltstack() refuses anything smaller with ENOMEM. */
  readonly legacyMinSigStackSize: number;
  /** fpu_user_cfg.max_size: the UABI xstate size, with AMX where the CPU has it (11008 on SPR). */
  readonly xstateMaxUserSize: number;
  /** fpu_default_state_size = max_size + 4 (MAGIC2) + 112 (ia32 fsave header). */
  readonly fpuDefaultStateSize: number;
  /** Stack bytes one signal frame uses, measured (p06): default and AMX-expanded thread. */
  readonly frameBytes: { readonly default: number; readonly large: number };
  /** Stack bytes a minimal handler needs below its frame before a nested signal arrives. */
  readonly handlerStackBytes: number;
  /** Bytes of each sigaltstack size class. */
  readonly altstackBytes: Readonly<Record<AltstackClass, number>>;
  /** What the profile was made from, when it was measured on a machine (profileFromMeasurement). */
  readonly measurement?: PlatformMeasurement;
}

/**
 * The size classes of a profile built from measurement: `small` is a page where that is below
 * AT_MINSIGSTKSZ - 100 (else AT_MINSIGSTKSZ - 100, never below MINSIGSTKSZ); `window` sits 50 bytes
 * below AT_MINSIGSTKSZ, between the two kernel checks where AMX exists; `large` is twice AT_MINSIGSTKSZ.
 */
export function altstackClassesFor(minSigStackSize: number, legacyMinSigStackSize: number): Readonly<Record<AltstackClass, number>> {
  return {
    small: Math.max(legacyMinSigStackSize, Math.min(4096, minSigStackSize - 100)),
    window: minSigStackSize - 50,
    large: 2 * minSigStackSize,
  };
}

export const SPR_LINUX_6_18: PlatformProfile = {
  name: 'spr-linux-6.18',
  description: 'Sapphire Rapids class CPU, Linux 6.18.44, IA32_EMULATION=y, STRICT_SIGALTSTACK_SIZE off (observed-linux-6.18.md)',
  amxUsable: true,
  xcompSupported: 0x600e7,
  defaultPermission: 0x200e7,
  xfeatureMax: 20,
  minSigStackSize: 11952,
  legacyMinSigStackSize: 2048,
  xstateMaxUserSize: 11008,
  fpuDefaultStateSize: 11008 + 4 + 112,
  frameBytes: { default: 3336, large: 11528 },
  handlerStackBytes: 512,
  altstackBytes: altstackClassesFor(11952, 2048),
};

// observed-no-amx-6.18.md: the hypervisor hides AMX, so XCR0 and every bitmap are 0xe7 (N5, N7) and
// no frame ever grows: the large frame is the default one (N19).
export const NO_AMX_LINUX_6_18: PlatformProfile = {
  name: 'no-amx',
  description: 'Intel Xeon VM whose hypervisor hides AMX, Linux 6.18.44 (observed-no-amx-6.18.md)',
  amxUsable: false,
  xcompSupported: 0xe7,
  defaultPermission: 0xe7,
  xfeatureMax: 20,
  minSigStackSize: 3632,
  legacyMinSigStackSize: 2048,
  xstateMaxUserSize: 2688,
  fpuDefaultStateSize: 2688 + 4 + 112,
  frameBytes: { default: 3208, large: 3208 },
  handlerStackBytes: 512,
  altstackBytes: altstackClassesFor(3632, 2048),
};

/** By name; a table without a prototype, so a platform called `toString` is unknown (src/own.ts). */
export const PLATFORMS: Readonly<Record<string, PlatformProfile>> = lookupTable({
  [SPR_LINUX_6_18.name]: SPR_LINUX_6_18,
  [NO_AMX_LINUX_6_18.name]: NO_AMX_LINUX_6_18,
});
export const DEFAULT_PLATFORM = SPR_LINUX_6_18;

/** XFEATURE_MAX of the measured kernels (6.16 and later: APX is 19); a measurement does not carry it. */
const MEASURED_KERNEL_XFEATURE_MAX = 20;

/** XTILEDATA's size when CPUID leaf 0xD does not describe it (8 tiles x 16 rows x 64 bytes). */
const DEFAULT_TILE_DATA_BYTES = 8192;

function bitmapOf(field: string, text: string): number {
  if (!/^0x[0-9a-f]+$/i.test(text)) throw new Error(`measurement: ${field} must be a hex bitmap like "0x600e7", got ${JSON.stringify(text)}`);
  return Number.parseInt(text.slice(2), 16);
}

/** A profile from what `amxstate platform --json` measured on a machine (measurement.ts). */
export function profileFromMeasurement(m: PlatformMeasurement, name = 'host'): PlatformProfile {
  const userSize = m.cpuidXsave.userSize;
  const large = m.frameBytes + (m.amxUsable ? (m.cpuidXsave.tileData?.size ?? DEFAULT_TILE_DATA_BYTES) : 0);
  return {
    name,
    description: `${m.cpu}, Linux ${m.kernel}, ${m.amxUsable ? 'AMX usable' : 'no AMX'} (measured)`,
    amxUsable: m.amxUsable,
    xcompSupported: bitmapOf('xcompSupported', m.xcompSupported),
    defaultPermission: bitmapOf('defaultPermission', m.defaultPermission),
    xfeatureMax: MEASURED_KERNEL_XFEATURE_MAX,
    minSigStackSize: m.minSigStackSize,
    legacyMinSigStackSize: m.sigaltstackMinimum,
    xstateMaxUserSize: userSize,
    fpuDefaultStateSize: userSize + 4 + 112,
    frameBytes: { default: m.frameBytes, large },
    handlerStackBytes: Math.max(0, m.nestedFrameBytes - 2 * m.frameBytes),
    altstackBytes: altstackClassesFor(m.minSigStackSize, m.sigaltstackMinimum),
    measurement: m,
  };
}

/** The smallest altstack a permission request accepts: validate_sigaltstack() needs size >= framesize. */
export function permissionRequestAltstackMinimum(p: PlatformProfile): number {
  return p.minSigStackSize - p.xstateMaxUserSize + p.xstateMaxUserSize;
}

/** The largest altstack sigaltstack() refuses once AMX is permitted: sigaltstack_size_valid() needs size > this. */
export function sigaltstackRefusalLimitWhenPermitted(p: PlatformProfile): number {
  return p.minSigStackSize - p.fpuDefaultStateSize + p.xstateMaxUserSize;
}

export function hex(bitmap: number): string {
  return `0x${bitmap.toString(16)}`;
}

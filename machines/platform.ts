// The numbers a model needs from the machine it describes: bitmaps, sizes and thresholds.
// The default profile is the measured machine of shared/observed-linux-6.18.md.

export const XFEATURE_XTILE_CFG = 17;
export const XFEATURE_XTILE_DATA = 18;
export const XTILE_CFG_MASK = 1 << XFEATURE_XTILE_CFG;
export const XTILE_DATA_MASK = 1 << XFEATURE_XTILE_DATA;

/** The sigaltstack size classes a scenario may name. */
export const ALTSTACK_CLASSES = ['small', 'window', 'large'] as const;
export type AltstackClass = (typeof ALTSTACK_CLASSES)[number];

export interface PlatformProfile {
  readonly name: string;
  readonly description: string;
  /** ARCH_GET_XCOMP_SUPP: fpu_user_cfg.max_features | legacy features. */
  readonly xcompSupported: number;
  /** ARCH_GET_XCOMP_PERM before any request: the default features (XTILECFG included). */
  readonly defaultPermission: number;
  /** XFEATURE_MAX: requests for component numbers at or above it are EINVAL. */
  readonly xfeatureMax: number;
  /** AT_MINSIGSTKSZ = max_frame_size, computed at boot with AMX included. */
  readonly minSigStackSize: number;
  /** MINSIGSTKSZ: sigaltstack() refuses anything smaller with ENOMEM. */
  readonly legacyMinSigStackSize: number;
  /** fpu_user_cfg.max_size: the UABI xstate size with AMX (11008 on SPR). */
  readonly xstateMaxUserSize: number;
  /** fpu_default_state_size = max_size + 4 (MAGIC2) + 112 (ia32 fsave header). */
  readonly fpuDefaultStateSize: number;
  /** Stack bytes one signal frame uses, measured (p06): default and AMX-expanded thread. */
  readonly frameBytes: { readonly default: number; readonly large: number };
  /** Stack bytes a minimal handler needs below its frame before a nested signal arrives. */
  readonly handlerStackBytes: number;
  /** Bytes of each sigaltstack size class. */
  readonly altstackBytes: Readonly<Record<AltstackClass, number>>;
}

function profileFor(name: string, description: string, minSigStackSize: number): PlatformProfile {
  const xstateMaxUserSize = 11008;
  return {
    name,
    description,
    xcompSupported: 0x600e7,
    defaultPermission: 0x200e7,
    xfeatureMax: 20,
    minSigStackSize,
    legacyMinSigStackSize: 2048,
    xstateMaxUserSize,
    fpuDefaultStateSize: xstateMaxUserSize + 4 + 112,
    frameBytes: { default: 3336, large: 11528 },
    handlerStackBytes: 512,
    altstackBytes: { small: 4096, window: minSigStackSize - 50, large: 2 * minSigStackSize },
  };
}

export const SPR_LINUX_6_18 = profileFor(
  'spr-linux-6.18',
  'Sapphire Rapids class CPU, Linux 6.18.44, IA32_EMULATION=y, STRICT_SIGALTSTACK_SIZE off (observed-linux-6.18.md)',
  11952,
);

export const PLATFORMS: Readonly<Record<string, PlatformProfile>> = { [SPR_LINUX_6_18.name]: SPR_LINUX_6_18 };
export const DEFAULT_PLATFORM = SPR_LINUX_6_18;

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

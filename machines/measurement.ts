// What `amxexec --platform` measures on the running machine: the facts a platform profile is made
// from (platform.ts:profileFromMeasurement) and that `amxstate platform` prints. It sits with the
// platform profiles, which carry it, rather than with the executor (src/kernel/measure.ts) that
// produces it: the machines are the bottom layer and import nothing above them.

export interface PlatformMeasurement {
  /** uname -r. */
  readonly kernel: string;
  /** "model name" of /proc/cpuinfo. */
  readonly cpu: string;
  /** /proc/cpuinfo lists amx_tile. */
  readonly amxTile: boolean;
  /** ARCH_GET_XCOMP_SUPP has bit 18: tile data can be requested and used. */
  readonly amxUsable: boolean;
  /** ARCH_GET_XCOMP_SUPP, ARCH_GET_XCOMP_PERM and ARCH_GET_XCOMP_GUEST_PERM of a fresh process, as hex. */
  readonly xcompSupported: string;
  readonly defaultPermission: string;
  readonly defaultGuestPermission: string;
  /** What ARCH_REQ_XCOMP_PERM(18) answered in a throw-away child: "ok" or an errno name. */
  readonly requestPermission18: string;
  /** CPUID leaf 0xD: XCR0 (hex), its standard size (EBX), the largest size (ECX), XFD support, tile components. */
  readonly cpuidXsave: {
    readonly xcr0: string;
    readonly userSize: number;
    readonly maxSize: number;
    readonly xfd: boolean;
    readonly tileConfig: { readonly size: number; readonly offset: number } | null;
    readonly tileData: { readonly size: number; readonly offset: number } | null;
  };
  /** getauxval(AT_MINSIGSTKSZ). */
  readonly minSigStackSize: number;
  /** The smallest altstack sigaltstack() accepts in a process without AMX permission. */
  readonly sigaltstackMinimum: number;
  /** sigaltstack() refuses sizes below AT_MINSIGSTKSZ (CONFIG_STRICT_SIGALTSTACK_SIZE or strict_sas_size). */
  readonly strictSigaltstack: boolean;
  /** Altstack bytes one SIGUSR1 frame with the executor's handler uses, and two nested ones. */
  readonly frameBytes: number;
  readonly nestedFrameBytes: number;
  /** /dev/kvm can be opened read-write. */
  readonly kvm: boolean;
  /** Effective uid 0. */
  readonly root: boolean;
}

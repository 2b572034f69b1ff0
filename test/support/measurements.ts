// Test support: platform measurements as `amxstate platform --json` prints them.

import type { PlatformMeasurement } from '../../machines/measurement.js';

/** The machine these tests were written on: AMD EPYC, no AMX, Linux 6.18.44 (frame sizes rounded). */
export const EPYC: PlatformMeasurement = {
  kernel: '6.18.44',
  cpu: 'AMD EPYC',
  amxTile: false,
  amxUsable: false,
  xcompSupported: '0x207',
  defaultPermission: '0x207',
  defaultGuestPermission: '0x207',
  requestPermission18: 'EOPNOTSUPP',
  cpuidXsave: { xcr0: '0x207', userSize: 2440, maxSize: 2440, xfd: false, tileConfig: null, tileData: null },
  minSigStackSize: 3376,
  sigaltstackMinimum: 2048,
  strictSigaltstack: false,
  frameBytes: 2900,
  nestedFrameBytes: 6300,
  kvm: true,
  root: true,
};

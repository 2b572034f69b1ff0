// `--platform NAME|FILE|host`: which platform profile a command models. A name of PLATFORMS, the
// machine this runs on (measured through src/kernel/measure.ts), or a JSON file holding a measurement
// (what `amxstate platform --json` prints, or an object with a `measurement` field holding one).

import { PLATFORMS, profileFromMeasurement, type PlatformProfile } from '../../machines/platform.js';
import { ownEntry } from '../own.js';
import { describeValue } from '../scenario/describe.js';
import { InputError, isJsonObject, parseJson, readText, sourceName } from '../scenario/read.js';
import type { PlatformMeasurement } from '../../machines/measurement.js';
import { measureHost } from '../kernel/measure.js';

/** A --platform argument that names no profile, or a file that holds no measurement: exit 2. */
export class PlatformUsageError extends Error {}

export const HOST_PLATFORM = 'host';

type Kind = 'string' | 'number' | 'boolean';

function field<T>(o: Record<string, unknown>, name: string, kind: Kind, where: string): T {
  const v = ownEntry(o, name);
  if (typeof v !== kind || (kind === 'number' && !Number.isFinite(v as number)))
    throw new PlatformUsageError(`${where}: field "${name}" must be a ${kind}, got ${describeValue(v)}`);
  return v as T;
}

function hexField(o: Record<string, unknown>, name: string, where: string): string {
  const v = field<string>(o, name, 'string', where);
  if (!/^0x[0-9a-f]{1,16}$/i.test(v)) throw new PlatformUsageError(`${where}: field "${name}" must be a hex bitmap like "0x600e7" (at most 64 bits), got ${describeValue(v)}`);
  return v;
}

function component(o: Record<string, unknown>, name: string, where: string): { size: number; offset: number } | null {
  const v = ownEntry(o, name);
  if (v === null) return null;
  if (!isJsonObject(v)) throw new PlatformUsageError(`${where}: field "cpuidXsave.${name}" must be null or {size, offset}, got ${describeValue(v)}`);
  return { size: field<number>(v, 'size', 'number', `${where}: cpuidXsave.${name}`), offset: field<number>(v, 'offset', 'number', `${where}: cpuidXsave.${name}`) };
}

function xsave(m: Record<string, unknown>, where: string): PlatformMeasurement['cpuidXsave'] {
  const x = ownEntry(m, 'cpuidXsave');
  if (!isJsonObject(x)) throw new PlatformUsageError(`${where}: field "cpuidXsave" must be an object, got ${describeValue(x)}`);
  const at = `${where}: cpuidXsave`;
  return {
    xcr0: hexField(x, 'xcr0', at),
    userSize: field(x, 'userSize', 'number', at),
    maxSize: field(x, 'maxSize', 'number', at),
    xfd: field(x, 'xfd', 'boolean', at),
    tileConfig: component(x, 'tileConfig', where),
    tileData: component(x, 'tileData', where),
  };
}

/** Checks a parsed JSON value as a PlatformMeasurement, field by field; `where` prefixes the errors. */
export function measurementFromJson(json: unknown, where: string): PlatformMeasurement {
  const inner = isJsonObject(json) ? ownEntry(json, 'measurement') : undefined;
  const m = isJsonObject(inner) ? inner : json;
  if (!isJsonObject(m)) throw new PlatformUsageError(`${where}: expected a platform measurement (what amxstate platform --json prints) as a JSON object`);
  return {
    kernel: field(m, 'kernel', 'string', where),
    cpu: field(m, 'cpu', 'string', where),
    amxTile: field(m, 'amxTile', 'boolean', where),
    amxUsable: field(m, 'amxUsable', 'boolean', where),
    xcompSupported: hexField(m, 'xcompSupported', where),
    defaultPermission: hexField(m, 'defaultPermission', where),
    defaultGuestPermission: hexField(m, 'defaultGuestPermission', where),
    requestPermission18: field(m, 'requestPermission18', 'string', where),
    // Object literals evaluate in order, so the first bad field is the one reported.
    cpuidXsave: xsave(m, where),
    minSigStackSize: field(m, 'minSigStackSize', 'number', where),
    sigaltstackMinimum: field(m, 'sigaltstackMinimum', 'number', where),
    strictSigaltstack: field(m, 'strictSigaltstack', 'boolean', where),
    frameBytes: field(m, 'frameBytes', 'number', where),
    nestedFrameBytes: field(m, 'nestedFrameBytes', 'number', where),
    kvm: field(m, 'kvm', 'boolean', where),
    root: field(m, 'root', 'boolean', where),
  };
}

/**
 * The profile `--platform ARG` names: a profile of PLATFORMS by name, `host` (measured here; throws
 * KernelUnavailableError where that cannot run), or a JSON file holding a measurement. Anything else
 * throws PlatformUsageError.
 */
export function resolvePlatform(arg: string): PlatformProfile {
  const named = ownEntry(PLATFORMS, arg);
  if (named) return named;
  if (arg === HOST_PLATFORM) return profileFromMeasurement(measureHost(), HOST_PLATFORM);
  let text: string;
  try {
    text = readText(arg);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const why = /^cannot read .*: (\S+)/.exec(e.message)?.[1];
    if (why === 'ENOENT' || why === 'ENOTDIR' || why === 'ENAMETOOLONG')
      throw new PlatformUsageError(`--platform: ${describeValue(arg)} is neither a platform (${[...Object.keys(PLATFORMS), HOST_PLATFORM].join(', ')}) nor a readable file (${why})`);
    throw new PlatformUsageError(`--platform: ${e.message}`);
  }
  let json: unknown;
  try {
    json = parseJson(text, sourceName(arg));
  } catch (e) {
    if (e instanceof InputError) throw new PlatformUsageError(`--platform: ${e.message}`);
    throw e;
  }
  return profileFromMeasurement(measurementFromJson(json, `--platform: ${sourceName(arg)}`), `file:${arg}`);
}

/** resolvePlatform() for a command's option: its usage errors name the command. */
export function platformOption(command: string, arg: string): PlatformProfile {
  try {
    return resolvePlatform(arg);
  } catch (e) {
    if (e instanceof PlatformUsageError) throw new PlatformUsageError(`${command}: ${e.message}`);
    throw e;
  }
}

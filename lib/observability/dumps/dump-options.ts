/** The `dump` option: its public type, defaults, and validation once at creation. */
import * as path from 'node:path';
import { OptionsError, isPlainObject, optionalPositiveInt, rejectUnknownKeys } from '../../options-check';

/** API dumps: the redacted request and response of every upstream attempt, one folder per interception. */
export interface DumpOptions {
  /**
   * The directory dumps are written to (created when needed): one folder per interception id (or passthrough call
   * id), one file per upstream attempt (`001-attempt.http`, `002-attempt.http`, …). Required.
   */
  dir: string;
  /**
   * Most bytes of one attempt's file (request and response together); past it the file ends with a truncation
   * marker and the rest of the answer is still relayed, just not written. At least 1,024. Defaults to 1,048,576 (1 MiB).
   */
  maxFileBytes?: number;
  /**
   * Most bytes kept under `dir` in total; past it the oldest interception folders are deleted (folders already there
   * when the bridge starts count too). Defaults to 104,857,600 (100 MiB).
   */
  maxTotalBytes?: number;
}

export const DUMP_DEFAULTS = {
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 100 * 1024 * 1024,
};

/** The smallest per-file bound: room for a request head and the truncation marker. */
const MIN_FILE_BYTES = 1024;

const KNOWN = ['dir', 'maxFileBytes', 'maxTotalBytes'] as const;

export interface DumpConfig {
  /** Absolute. */
  dir: string;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export function normalizeDumpOptions(owner: string, v: unknown): DumpConfig {
  if (!isPlainObject(v)) throw new OptionsError(owner, 'dump', 'must be an object ({ dir, maxFileBytes?, maxTotalBytes? }).');
  rejectUnknownKeys(owner, v, KNOWN, 'dump.');
  const options = v as Partial<DumpOptions>;
  if (typeof options.dir !== 'string' || options.dir.trim() === '' || options.dir.includes('\0')) {
    throw new OptionsError(owner, 'dump.dir', 'must be the path of a directory (e.g. "./aibridge-dumps").');
  }
  const maxFileBytes = optionalPositiveInt(owner, 'dump.maxFileBytes', options.maxFileBytes, DUMP_DEFAULTS.maxFileBytes);
  if (maxFileBytes < MIN_FILE_BYTES) throw new OptionsError(owner, 'dump.maxFileBytes', `must be at least ${MIN_FILE_BYTES} (bytes).`);
  const maxTotalBytes = optionalPositiveInt(owner, 'dump.maxTotalBytes', options.maxTotalBytes, DUMP_DEFAULTS.maxTotalBytes);
  if (maxTotalBytes < maxFileBytes) throw new OptionsError(owner, 'dump.maxTotalBytes', 'must be at least dump.maxFileBytes.');
  return { dir: path.resolve(options.dir), maxFileBytes, maxTotalBytes };
}

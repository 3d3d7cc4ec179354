/** Safe ways to name a provider key in logs, metrics and shared state without revealing it. */
import { createHash } from 'node:crypto';

/**
 * A display form of a key, like `sk-a...wxyz`. Shorter keys show less, so the visible part never
 * becomes a meaningful share of the secret: 20+ chars show 4+4, 9 to 19 show 2+2, shorter show nothing.
 */
export function maskKey(key: string): string {
  if (key.length >= 20) return `${key.slice(0, 4)}...${key.slice(-4)}`;
  if (key.length >= 9) return `${key.slice(0, 2)}...${key.slice(-2)}`;
  return '****';
}

/**
 * A stable identifier for a key (first 32 hex chars of its SHA-256), used as its name in shared key state.
 * Hashing costs a few microseconds, so callers compute it once per key when the pool is built.
 */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);
}

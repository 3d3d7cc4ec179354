/** Ids of interceptions and passthrough calls: UUIDs that sort by creation time, so stores index them cheaply. */
import { randomUUID } from 'node:crypto';

/**
 * A version 7 UUID (RFC 9562): the first 48 bits are the time in milliseconds, the remaining 74 variable bits are
 * random. Stores keep an index on these ids (the interceptions' primary key, every child record's `interception_id`):
 * ids made in the same moments land next to each other in it, where a version 4 UUID dirtied a page anywhere in the
 * index on every insert (most of what a SQLite flush wrote). Still unguessable: 74 random bits.
 */
export function timeOrderedId(now: number = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  // A version 4 UUID's random digits from its 16th character on (`xxx-Vxxx-xxxxxxxxxxxx`, the variant kept).
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

/** Ids of interceptions and passthrough calls: UUIDs that sort by creation time, so stores index them cheaply. */
import { randomUUID } from 'node:crypto';

/** The millisecond whose digits {@link timeOrderedId} last wrote, and those digits. */
let prefixTime = -1;
let prefix = '';

/**
 * A version 7 UUID (RFC 9562): the first 48 bits are the time in milliseconds, the remaining 74 variable bits are
 * random. Stores keep an index on these ids (the interceptions' primary key, every child record's `interception_id`):
 * ids made in the same moments land next to each other in it, where a version 4 UUID dirtied a page anywhere in the
 * index on every insert (most of what a SQLite flush wrote). Still unguessable: 74 random bits.
 */
export function timeOrderedId(now: number = Date.now()): string {
  // Requests arrive several per millisecond under load: the time's digits are written once per millisecond.
  if (now !== prefixTime) {
    const time = now.toString(16).padStart(12, '0');
    prefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    prefixTime = now;
  }
  // A version 4 UUID's random digits from its 16th character on (`xxx-Vxxx-xxxxxxxxxxxx`, the variant kept).
  return prefix + randomUUID().slice(15);
}

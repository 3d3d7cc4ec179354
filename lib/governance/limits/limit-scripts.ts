/** The limits' Redis scripts: all the counters of one request admitted in one command, and settled in one at its end. */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Admits one request against all its counters, atomically (all or nothing), in one round trip.
 * KEYS: the budget keys, then the take keys. ARGV[1]: how many budgets; then each budget's points; then, per take,
 * points, expiry in seconds, and '1' for a concurrency slot ('0' for a window).
 * A budget refuses when its count already reached its points; a take refuses when it would go past them (and what
 * this script took is given back). Windows count as rate-limiter-flexible's Redis increment does (the expiry is set
 * with the first point and not renewed; here by the increment that finds the key without one, a command fewer than
 * its `SET NX EX` before every increment); slots as its increment does with the bridge's slot script (every take
 * renews the expiry; a count below zero, after an expiry, restarts at zero).
 * Returns {0, each budget's count} when admitted, else {index (1-based, budgets first), count, pttl}.
 */
const ADMIT = `local budgets = tonumber(ARGV[1])
local admitted = {0}
for i = 1, budgets do
  local used = tonumber(redis.call('get', KEYS[i]) or '0')
  if used >= tonumber(ARGV[1 + i]) then return {i, used, redis.call('pttl', KEYS[i])} end
  admitted[i + 1] = used
end
local at = 2 + budgets
for j = budgets + 1, #KEYS do
  local key = KEYS[j]
  local consumed
  if ARGV[at + 2] == '1' then
    consumed = redis.call('incrby', key, 1)
    if consumed < 1 then
      redis.call('set', key, 1)
      consumed = 1
    end
    redis.call('expire', key, ARGV[at + 1])
  else
    consumed = redis.call('incrby', key, 1)
    if redis.call('ttl', key) == -1 then redis.call('expire', key, ARGV[at + 1]) end
  end
  if consumed > tonumber(ARGV[at]) then
    local pttl = redis.call('pttl', key)
    for k = budgets + 1, j do redis.call('decrby', KEYS[k], 1) end
    return {j, consumed, pttl}
  end
  at = at + 3
end
return admitted`;

/**
 * Settles counters in one round trip: gives points back and adds usage. KEYS: the keys; ARGV, per key: the points
 * (negative to give back), expiry in seconds, '1' for a concurrency slot. A slot's count renews its expiry and stops
 * at zero; a window's count gets its expiry with its first point (or the first change that finds it without one).
 * Returns the counts after the change.
 */
const SETTLE = `local counts = {}
for i = 1, #KEYS do
  local key, at = KEYS[i], i * 3 - 2
  local consumed
  if ARGV[at + 2] == '1' then
    consumed = redis.call('incrby', key, ARGV[at])
    if consumed < 0 then
      redis.call('set', key, 0)
      consumed = 0
    end
    redis.call('expire', key, ARGV[at + 1])
  else
    consumed = redis.call('incrby', key, ARGV[at])
    if redis.call('ttl', key) == -1 then redis.call('expire', key, ARGV[at + 1]) end
  end
  counts[i] = consumed
end
return counts`;

/** A script sent by its SHA1, and in full once when the server does not know it (after a restart or SCRIPT FLUSH). */
class Script {
  private readonly sha: string;
  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

export const ADMIT_SCRIPT = new Script(ADMIT);
export const SETTLE_SCRIPT = new Script(SETTLE);

/** The limits' Redis scripts: the requests of one event-loop turn admitted in one command, and their ends settled in one. */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Admits the requests that arrived in one turn of the event loop, in their order, each against all its counters
 * atomically (all or nothing): as many one-request admissions run one after the other would, in one command.
 * KEYS: the distinct keys of the batch. ARGV[1]: how many requests; then, per key: points, expiry in seconds, and
 * its kind ('b' a budget, 'w' a window, 's' a concurrency slot); then, per request: how many keys it counts against,
 * then their indexes in KEYS (budgets first).
 * A budget refuses when its count already reached its points; a take refuses when it would go past them (and what
 * the request took is given back). Each key is read once, counted in the script, and written once at the end: a
 * window as rate-limiter-flexible's Redis increment counts (the expiry set with the first point and not renewed),
 * a slot as its increment does with the bridge's slot script (every take renews the expiry; a count below zero,
 * after an expiry, restarts at zero).
 * Returns, per request, {0, 0, 0} when admitted, else {position of the refusing key in the request (1-based), its
 * count, its pttl}; then every key's count after the batch.
 */
const ADMIT_BATCH = `local requests = tonumber(ARGV[1])
local nkeys = #KEYS
local kind, points, used, before, exists = {}, {}, {}, {}, {}
for i = 1, nkeys do
  local at = i * 3 - 1
  points[i] = tonumber(ARGV[at])
  kind[i] = ARGV[at + 2]
  local v = redis.call('get', KEYS[i])
  exists[i] = v ~= false
  local n = tonumber(v or '0')
  if kind[i] == 's' and n < 0 then n = 0 end
  used[i], before[i] = n, n
end
local out = {}
local at = 2 + nkeys * 3
for r = 1, requests do
  local n = tonumber(ARGV[at])
  local refused = 0
  for j = 1, n do
    local k = tonumber(ARGV[at + j])
    if kind[k] == 'b' then
      if used[k] >= points[k] then refused = j break end
    elseif used[k] + 1 > points[k] then refused = j break
    else used[k] = used[k] + 1 end
  end
  local o = r * 3 - 2
  if refused == 0 then
    out[o], out[o + 1], out[o + 2] = 0, 0, 0
  else
    for j = 1, refused - 1 do
      local k = tonumber(ARGV[at + j])
      if kind[k] ~= 'b' then used[k] = used[k] - 1 end
    end
    local k = tonumber(ARGV[at + refused])
    local pttl = redis.call('pttl', KEYS[k])
    if pttl < 0 and used[k] > before[k] then pttl = tonumber(ARGV[k * 3]) * 1000 end
    out[o], out[o + 1], out[o + 2] = refused, kind[k] == 'b' and used[k] or used[k] + 1, pttl
  end
  at = at + n + 1
end
for i = 1, nkeys do
  local key = KEYS[i]
  if kind[i] == 's' then
    redis.call('set', key, used[i], 'EX', ARGV[i * 3])
  elseif kind[i] == 'w' and used[i] ~= before[i] then
    if exists[i] then
      redis.call('incrby', key, used[i] - before[i])
      if redis.call('ttl', key) == -1 then redis.call('expire', key, ARGV[i * 3]) end
    else
      redis.call('set', key, used[i], 'EX', ARGV[i * 3])
    end
  end
  out[requests * 3 + i] = used[i]
end
return out`;

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

  /** Runs the script on `keyCount` keys; `parts` are the keys then the arguments, in arrays that are sent flattened. */
  async run(client: Redis, keyCount: number, parts: ReadonlyArray<ReadonlyArray<string | number>>): Promise<unknown> {
    // ioredis flattens array arguments (one level): the parts go as they are, not copied into one list.
    const flattened = parts as unknown as string[];
    try {
      return await client.evalsha(this.sha, keyCount, ...flattened);
    } catch (err) {
      if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
      return client.eval(this.lua, keyCount, ...flattened);
    }
  }
}

export const ADMIT_BATCH_SCRIPT = new Script(ADMIT_BATCH);
export const SETTLE_SCRIPT = new Script(SETTLE);

import { createHash } from 'node:crypto';

/** A Lua script sent by `EVALSHA`, with its source kept for the `NOSCRIPT` fallback. */
export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

function script(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** The error reply a script returns for a value that is not a counter (`ERR_STORE_CORRUPT`). */
export const CORRUPT_REPLY = 'PORTCULLIS_CORRUPT';

/**
 * KEYS[1] = counter, ARGV[1] = by (integer), ARGV[2] = ttl (ms, integer ≥ 1).
 * Returns { value (decimal string), pttl }. Creates the key at `by` with the TTL when absent; otherwise adds `by`
 * and keeps the TTL (a fixed window). A key found without a TTL (written by something else) gets
 * one, so no counter lives forever. A value that is not a decimal integer, a key of another type,
 * or a result outside ±(2^53 − 1) is refused with an error reply and left unchanged.
 */
export const INCREMENT: LuaScript = script(`
local current = redis.pcall('GET', KEYS[1])
if type(current) == 'table' and current.err then
  return redis.error_reply('${CORRUPT_REPLY} not a counter')
end
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return { ARGV[1], tonumber(ARGV[2]) }
end
if not string.match(current, '^%-?%d+$') then
  return redis.error_reply('${CORRUPT_REPLY} not a counter')
end
local n = tonumber(current) + tonumber(ARGV[1])
if n > 9007199254740991 or n < -9007199254740991 then
  return redis.error_reply('${CORRUPT_REPLY} not a counter')
end
local done = redis.pcall('INCRBY', KEYS[1], ARGV[1])
if type(done) == 'table' and done.err then
  return redis.error_reply('${CORRUPT_REPLY} not a counter')
end
-- The new value as Redis's own decimal string: Lua numbers are doubles, and clients decode
-- large integer replies inexactly.
local value = redis.call('GET', KEYS[1])
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  pttl = tonumber(ARGV[2])
end
return { value, pttl }
`);

/** KEYS[1] = key, ARGV[1] = expected value. Returns 1 when it deleted the key, else 0. */
export const COMPARE_AND_DELETE: LuaScript = script(`
local current = redis.pcall('GET', KEYS[1])
if type(current) == 'table' and current.err then
  return 0
end
if current == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`);

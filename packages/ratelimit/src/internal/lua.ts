// The Redis side of a decision: one script, one round trip. It mirrors `algorithms.ts` step for
// step (same integer arithmetic) to decide and commit atomically, and returns the time it used and
// the state it read, from which the client recomputes the outcomes with `evaluate`.
//
// KEYS: one state key per rule. ARGV[1]: now in ms, or '' to use the server's TIME (one clock for
// the whole fleet). Then per rule: algorithm (1 gcra, 2 sliding window), limit, windowMs,
// enforced (1/0). Reply: { now, s1a, s1b, s1c, s2a, … } with -1 for "no state".
// States are stored as "a b c" strings with a PX expiry 1 s longer than the state matters (a
// state kept past that decides like no state), so with time 'caller' a clock that differs a
// little from the server's never has a count forgotten early.

/** The script and its SHA-1 (checked by a unit test), for EVALSHA. */
export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

const SOURCE = `
local now = tonumber(ARGV[1])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local n = #KEYS
local reply = { now }
local nexts = {}
local refused = false
for i = 1, n do
  local base = 1 + (i - 1) * 4
  local alg = tonumber(ARGV[base + 1])
  local L = tonumber(ARGV[base + 2])
  local W = tonumber(ARGV[base + 3])
  local enforced = ARGV[base + 4] == '1'
  local raw = redis.call('GET', KEYS[i])
  local a, b, c
  if raw then
    local x, y, z = string.match(raw, '^(%-?%d+) (%-?%d+) (%-?%d+)$')
    if x then a = tonumber(x); b = tonumber(y); c = tonumber(z) end
  end
  if a then
    reply[#reply + 1] = a; reply[#reply + 1] = b; reply[#reply + 1] = c
  else
    reply[#reply + 1] = -1; reply[#reply + 1] = -1; reply[#reply + 1] = -1
  end
  local allowed, state, ttl
  if alg == 1 then
    local excess = 0
    if a then
      local elapsed = math.min(math.max(0, now - b), W)
      excess = math.max(0, a - elapsed * L)
    end
    local after = excess + W
    allowed = after <= W * L
    state = string.format('%.0f %.0f 0', after, now)
    ttl = math.max(1, math.ceil(after / L))
  else
    local index = math.floor(now / W)
    local current, previous = 0, 0
    if a then
      if a >= index then
        index = a; current = b; previous = c
      elseif a == index - 1 then
        previous = b
      end
    end
    local elapsed = math.min(math.max(0, now - index * W), W - 1)
    local left = W - elapsed
    allowed = previous * left + (current + 1) * W <= L * W
    state = string.format('%.0f %.0f %.0f', index, current + 1, previous)
    ttl = left + W
  end
  if allowed then
    nexts[i] = { state, ttl }
  elseif enforced then
    refused = true
  end
end
if not refused then
  for i = 1, n do
    local nx = nexts[i]
    if nx then redis.call('SET', KEYS[i], nx[1], 'PX', string.format('%.0f', nx[2] + 1000)) end
  end
end
return reply
`;

/** The decision script. */
export const DECIDE: LuaScript = {
  source: SOURCE,
  sha1: '1e3a3ade14fea994a475f7c1edd45e3daf576a1b',
};

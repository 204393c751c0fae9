-- Lease up to max due callbacks, priority 9 first, lowest score (due time, then FIFO sequence) first
-- within a priority. Every claim takes a new fencing token: a step with an older one is refused.
-- KEYS: see enqueue.lua. ARGV: max, lease ttl ms, owner
-- Returns a flat array per callback: id, priority, fence, in-flight attempt ('' if none), orphaned (0|1).
local max, ttl, owner = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local now = now_ms()
local maxScore = string.format('%.0f', now * 4096 + 4095)
local out = {}
local n = 0
for p = 9, 0, -1 do
  if n >= max then break end
  local ids = redis.call('ZRANGEBYSCORE', KEYS[12 + p], '-inf', maxScore, 'LIMIT', 0, max - n)
  for _, id in ipairs(ids) do
    redis.call('ZREM', KEYS[12 + p], id)
    redis.call('ZADD', KEYS[1], now + ttl, id)
    local fence = redis.call('INCR', KEYS[7])
    redis.call('HSET', KEYS[2], id, owner)
    redis.call('HSET', KEYS[3], id, fence)
    redis.call('HSET', KEYS[4], id, p)
    out[#out + 1] = id
    out[#out + 1] = p
    out[#out + 1] = fence
    out[#out + 1] = redis.call('HGET', KEYS[5], id) or ''
    out[#out + 1] = redis.call('SREM', KEYS[11], id)
    n = n + 1
  end
end
return out

-- Expired leases (Redis time): one with an attempt in flight on a node is parked for that node's
-- owner (the only instance that can ask the node about it); the others go back to ready, due now.
-- KEYS: see enqueue.lua. ARGV: limit. Returns how many were reaped.
local limit = tonumber(ARGV[1])
local now = now_ms()
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  local prio = tonumber(redis.call('HGET', KEYS[4], id) or '0')
  local inflight = redis.call('HGET', KEYS[5], id)
  local node = inflight and string.match(inflight, '^%d+|([^|]+)|')
  if node then
    redis.call('ZADD', KEYS[6], now, id)
  else
    if not inflight then redis.call('HDEL', KEYS[4], id) end
    local seq = redis.call('INCR', KEYS[8])
    redis.call('ZADD', KEYS[12 + prio], string.format('%.0f', now * 4096 + (seq % 4096)), id)
  end
end
return #ids

-- Callbacks parked longer than `bound` for a node whose lease nobody holds (the node is down, was
-- removed, or no instance is left to own it) go back to ready, due now, marked orphaned: the next
-- claimer closes their attempt out instead of waiting for a node that may never come back.
-- KEYS: see enqueue.lua. ARGV: bound ms, limit. Returns how many were released.
local bound, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = now_ms()
local ids = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', now - bound, 'LIMIT', 0, limit)
local n = 0
for _, id in ipairs(ids) do
  local node = string.match(redis.call('HGET', KEYS[5], id) or '', '^%d+|([^|]*)|')
  local held = false
  if node and node ~= '' then
    local lease = redis.call('HGET', KEYS[9], node)
    if lease then
      local _, _, exp = string.match(lease, '^(.*)|(%d+)|(%d+)$')
      held = tonumber(exp) > now
    end
  end
  if not held then
    redis.call('ZREM', KEYS[6], id)
    redis.call('SADD', KEYS[11], id)
    local prio = tonumber(redis.call('HGET', KEYS[4], id) or '0')
    local seq = redis.call('INCR', KEYS[8])
    redis.call('ZADD', KEYS[12 + prio], string.format('%.0f', now * 4096 + (seq % 4096)), id)
    n = n + 1
  end
end
return n

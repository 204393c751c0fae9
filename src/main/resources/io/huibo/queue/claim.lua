-- Move up to max due callbacks into leases, priority 9 first, lowest score (due time, then FIFO
-- sequence) first within a priority. Every claim takes a new fencing token.
-- KEYS[1] leases zset; ARGV: base, max, maxScore (now*4096+4095), lease expiry millis, owner
-- Returns a flat array: id, priority, fence, attempt ('' if none), node, channel; per callback.
local base, max, maxScore, expiry, owner = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local out = {}
local n = 0
for p = 9, 0, -1 do
  if n >= max then break end
  local ready = base .. ':ready:' .. p
  local ids = redis.call('ZRANGEBYSCORE', ready, '-inf', maxScore, 'LIMIT', 0, max - n)
  for _, id in ipairs(ids) do
    redis.call('ZREM', ready, id)
    redis.call('ZADD', KEYS[1], expiry, id)
    local job = base .. ':job:' .. id
    local fence = redis.call('INCR', base .. ':fence')
    redis.call('HSET', job, 'owner', owner, 'prio', p, 'fence', fence)
    local inflight = redis.call('HMGET', job, 'attempt', 'node', 'channel')
    out[#out + 1] = id
    out[#out + 1] = p
    out[#out + 1] = fence
    out[#out + 1] = inflight[1] or ''
    out[#out + 1] = inflight[2] or ''
    out[#out + 1] = inflight[3] or ''
    n = n + 1
  end
end
return out

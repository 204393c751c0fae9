-- Claim callbacks parked on the given nodes (their attempts are in flight there), for the nodes' owner.
-- Same reply shape as claim.lua. Ownership of each node is checked against its lease.
-- KEYS[1] leases zset; ARGV: base, max, lease expiry millis, owner, node...
local base, max, expiry, owner = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local out = {}
local n = 0
for i = 5, #ARGV do
  if n >= max then break end
  local node = ARGV[i]
  if redis.call('HGET', base .. ':node:' .. node, 'owner') == owner then
    local parked = base .. ':parked:' .. node
    local ids = redis.call('ZRANGE', parked, 0, max - n - 1)
    for _, id in ipairs(ids) do
      redis.call('ZREM', parked, id)
      local job = base .. ':job:' .. id
      redis.call('ZADD', KEYS[1], expiry, id)
      local fence = redis.call('INCR', base .. ':fence')
      local prio = redis.call('HGET', job, 'prio') or '0'
      redis.call('HSET', job, 'owner', owner, 'prio', prio, 'fence', fence)
      local inflight = redis.call('HMGET', job, 'attempt', 'node', 'channel')
      out[#out + 1] = id
      out[#out + 1] = tonumber(prio)
      out[#out + 1] = fence
      out[#out + 1] = inflight[1] or ''
      out[#out + 1] = inflight[2] or ''
      out[#out + 1] = inflight[3] or ''
      n = n + 1
    end
  end
end
return out

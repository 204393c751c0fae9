-- reap.lua for a cluster of instances: an expired lease whose attempt is in flight on a known node is
-- parked for that node's owner (the only instance that can ask the node about it); others go back to
-- ready, due now, as reap.lua does.
-- KEYS[1] leases zset; ARGV: base, now millis, now*4096, limit. Returns how many were reaped.
local base, now, now4096, limit = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local job = base .. ':job:' .. id
  local prio = redis.call('HGET', job, 'prio') or '0'
  if redis.call('HEXISTS', job, 'attempt') == 1 then
    redis.call('HDEL', job, 'owner', 'fence')
    local node = redis.call('HGET', job, 'node')
    if node and node ~= '' then
      redis.call('ZADD', base .. ':parked:' .. node, now, id)
    else
      local seq = redis.call('INCR', base .. ':seq')
      redis.call('ZADD', base .. ':ready:' .. prio, string.format('%.0f', now4096 + (seq % 4096)), id)
    end
  else
    redis.call('DEL', job)
    local seq = redis.call('INCR', base .. ':seq')
    redis.call('ZADD', base .. ':ready:' .. prio, string.format('%.0f', now4096 + (seq % 4096)), id)
  end
end
return #ids

-- Return expired leases to ready, due now, owner cleared. The in-flight attempt/node/channel stay so
-- the next owner reconciles with the PBX instead of dialing the person again.
-- KEYS[1] leases zset; ARGV: base, now millis, now*4096, limit. Returns how many were reaped.
local base, now, now4096, limit = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local job = base .. ':job:' .. id
  local prio = redis.call('HGET', job, 'prio') or '0'
  if redis.call('HEXISTS', job, 'attempt') == 1 then
    redis.call('HDEL', job, 'owner', 'fence')
  else
    redis.call('DEL', job)
  end
  local seq = redis.call('INCR', base .. ':seq')
  redis.call('ZADD', base .. ':ready:' .. prio, string.format('%.0f', now4096 + (seq % 4096)), id)
end
return #ids

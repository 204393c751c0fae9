-- Re-index a callback after Redis lost it, due now, keeping what is known of its in-flight attempt so
-- the next owner reconciles with the PBX instead of dialing again.
-- KEYS: see enqueue.lua. ARGV: id, priority, attempt (0 = none), node, channel, started millis
-- Returns 1 re-indexed, 0 already known.
local id, prio, attempt = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()
if redis.call('ZSCORE', KEYS[1], id) or redis.call('ZSCORE', KEYS[6], id) then return 0 end
for p = 0, 9 do
  if redis.call('ZSCORE', KEYS[12 + p], id) then return 0 end
end
redis.call('HDEL', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
redis.call('SREM', KEYS[11], id)
if attempt > 0 then
  redis.call('HSET', KEYS[4], id, prio)
  redis.call('HSET', KEYS[5], id, attempt .. '|' .. ARGV[4] .. '|' .. ARGV[5] .. '|' .. ARGV[6])
else
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
end
local seq = redis.call('INCR', KEYS[8])
redis.call('ZADD', KEYS[12 + prio], string.format('%.0f', now * 4096 + (seq % 4096)), id)
return 1

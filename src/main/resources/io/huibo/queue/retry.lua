-- Back to ready, due at Redis-now + delay, only for the owner with this fence. The attempt is over,
-- so its in-flight record goes.
-- KEYS: see enqueue.lua. ARGV: id, owner, fence, priority, delay ms. Returns 1 done, 0 not ours.
local id, owner, fence, prio, delay = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not redis.call('ZSCORE', KEYS[1], id) then return 0 end
if redis.call('HGET', KEYS[2], id) ~= owner or redis.call('HGET', KEYS[3], id) ~= fence then return 0 end
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
redis.call('HDEL', KEYS[4], id)
redis.call('HDEL', KEYS[5], id)
redis.call('SREM', KEYS[11], id)
local seq = redis.call('INCR', KEYS[8])
redis.call('ZADD', KEYS[12 + prio], string.format('%.0f', (now + delay) * 4096 + (seq % 4096)), id)
return 1

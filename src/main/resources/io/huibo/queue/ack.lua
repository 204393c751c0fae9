-- The callback is finished: forget it, only for the owner with this fence.
-- KEYS: see enqueue.lua. ARGV: id, owner, fence. Returns 1 done, 0 not ours.
local id, owner, fence = ARGV[1], ARGV[2], ARGV[3]
if not redis.call('ZSCORE', KEYS[1], id) then return 0 end
if redis.call('HGET', KEYS[2], id) ~= owner or redis.call('HGET', KEYS[3], id) ~= fence then return 0 end
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
redis.call('HDEL', KEYS[4], id)
redis.call('HDEL', KEYS[5], id)
redis.call('SREM', KEYS[11], id)
return 1

-- Back to ready, due at Redis-now + delay, only for the owner with this fence. The attempt is over,
-- so its in-flight record goes.
-- KEYS: see enqueue.lua. ARGV: id, owner, fence, priority, delay ms. Returns 1 done, 0 not ours.
local id, owner, fence, prio, delay = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_ms()
if not held(id, owner, fence) then return 0 end
redis.call('ZREM', KEYS[1], id)
forget(id)
local seq = redis.call('INCR', KEYS[8])
redis.call('ZADD', KEYS[12 + prio], string.format('%.0f', (now + delay) * 4096 + (seq % 4096)), id)
return 1

-- The callback is finished: forget it, only for the owner with this fence.
-- KEYS: see enqueue.lua. ARGV: id, owner, fence. Returns 1 done, 0 not ours.
local id, owner, fence = ARGV[1], ARGV[2], ARGV[3]
if not held(id, owner, fence) then return 0 end
redis.call('ZREM', KEYS[1], id)
forget(id)
return 1

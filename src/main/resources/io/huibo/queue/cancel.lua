-- Remove a waiting callback. KEYS: see enqueue.lua. ARGV: id
-- Returns 1 CANCELLED, 2 BUSY (leased, parked, or back in ready with an attempt still possibly live on
-- a PBX that the next owner must reconcile), 0 NOT_FOUND.
local id = ARGV[1]
if redis.call('ZSCORE', KEYS[1], id) or redis.call('ZSCORE', KEYS[6], id) then return 2 end
for p = 0, 9 do
  if redis.call('ZSCORE', KEYS[12 + p], id) then
    if redis.call('HEXISTS', KEYS[5], id) == 1 then return 2 end
    redis.call('ZREM', KEYS[12 + p], id)
    redis.call('HDEL', KEYS[4], id)
    redis.call('SREM', KEYS[11], id)
    return 1
  end
end
return 0

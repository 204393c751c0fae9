-- Remove a waiting callback. KEYS[1] leases zset; ARGV: base, id
-- Returns 1 CANCELLED, 2 BUSY (leased, or back in ready with an attempt still possibly live on a
-- PBX that the next owner must reconcile), 0 NOT_FOUND.
local base, id = ARGV[1], ARGV[2]
if redis.call('ZSCORE', KEYS[1], id) then return 2 end
local job = base .. ':job:' .. id
for p = 0, 9 do
  local ready = base .. ':ready:' .. p
  if redis.call('ZSCORE', ready, id) then
    if redis.call('HEXISTS', job, 'attempt') == 1 then return 2 end
    redis.call('ZREM', ready, id)
    redis.call('DEL', job)
    return 1
  end
end
-- parked for a node's owner (reapToNodes.lua, park.lua): an attempt may still be live there
if redis.call('HEXISTS', job, 'attempt') == 1 then return 2 end
return 0

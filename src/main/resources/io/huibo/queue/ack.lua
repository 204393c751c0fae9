-- The callback is finished: forget it, only if the caller still owns the lease.
-- KEYS[1] leases zset; ARGV: base, id, owner
local base, id, owner = ARGV[1], ARGV[2], ARGV[3]
local job = base .. ':job:' .. id
if redis.call('HGET', job, 'owner') ~= owner then return 0 end
if redis.call('ZREM', KEYS[1], id) == 0 then return 0 end
redis.call('DEL', job)
return 1

-- Record the in-flight attempt of a leased callback, only for its current owner (fencing).
-- KEYS[1] leases zset; ARGV: base, id, owner, attempt, node, channel
local base, id, owner = ARGV[1], ARGV[2], ARGV[3]
local job = base .. ':job:' .. id
if redis.call('HGET', job, 'owner') ~= owner then return 0 end
if not redis.call('ZSCORE', KEYS[1], id) then return 0 end
redis.call('HSET', job, 'attempt', ARGV[4], 'node', ARGV[5], 'channel', ARGV[6])
return 1

-- markDialing, fenced by the node: the attempt is recorded only while the caller holds the callback's
-- lease AND the node's ownership lease with this fencing token AND the node is not draining. So no
-- instance can start a call on a node it lost, and a drain takes effect for every instance at once.
-- KEYS[1] leases zset; ARGV: base, id, owner, attempt, node, channel, node token
-- Returns 1 marked, 0 callback lease lost, 2 node refused (not ours any more, or draining).
local base, id, owner, node, token = ARGV[1], ARGV[2], ARGV[3], ARGV[5], ARGV[7]
local job = base .. ':job:' .. id
if redis.call('HGET', job, 'owner') ~= owner then return 0 end
if not redis.call('ZSCORE', KEYS[1], id) then return 0 end
local lease = redis.call('HMGET', base .. ':node:' .. node, 'owner', 'token')
if lease[1] ~= owner or lease[2] ~= token then return 2 end
if redis.call('SISMEMBER', base .. ':draining', node) == 1 then return 2 end
redis.call('HSET', job, 'attempt', ARGV[4], 'node', node, 'channel', ARGV[6])
return 1

-- Hand a leased callback with an attempt in flight to whoever owns that attempt's node: the lease is
-- dropped and the id waits in {P}:parked:<node>, which only that node's owner claims. Used when the
-- claimer does not own the node (it has no AMI connection there, so it can neither ask nor dial).
-- KEYS[1] leases zset; ARGV: base, id, owner, now millis. Returns 1 parked, 0 not ours / nothing in flight.
local base, id, owner, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local job = base .. ':job:' .. id
if redis.call('HGET', job, 'owner') ~= owner then return 0 end
local node = redis.call('HGET', job, 'node')
if not node or node == '' then return 0 end
if redis.call('ZREM', KEYS[1], id) == 0 then return 0 end
redis.call('HDEL', job, 'owner', 'fence')
redis.call('ZADD', base .. ':parked:' .. node, now, id)
return 1

-- Hand a leased callback whose attempt is in flight to whoever owns that attempt's node: the lease is
-- dropped and the id waits in the parked set, which only that node's owner claims (claimParked.lua).
-- For a claimer that does not own the node: it has no AMI connection there, it can neither ask nor dial.
-- KEYS: see enqueue.lua. ARGV: id, owner, fence. Returns 1 parked, 0 not ours / nothing in flight.
local id, owner, fence = ARGV[1], ARGV[2], ARGV[3]
local now = now_ms()
if not held(id, owner, fence) then return 0 end
local node = string.match(redis.call('HGET', KEYS[5], id) or '', '^%d+|([^|]+)|')
if not node then return 0 end
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
redis.call('ZADD', KEYS[6], now, id)
return 1

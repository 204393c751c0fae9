-- Hand a leased callback whose attempt is in flight to whoever owns that attempt's node: the lease is
-- dropped and the id waits in the parked set, which only that node's owner claims (claimParked.lua).
-- For a claimer that does not own the node: it has no AMI connection there, it can neither ask nor dial.
-- KEYS: see enqueue.lua. ARGV: id, owner, fence. Returns 1 parked, 0 not ours / nothing in flight.
local id, owner, fence = ARGV[1], ARGV[2], ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not redis.call('ZSCORE', KEYS[1], id) then return 0 end
if redis.call('HGET', KEYS[2], id) ~= owner or redis.call('HGET', KEYS[3], id) ~= fence then return 0 end
local node = string.match(redis.call('HGET', KEYS[5], id) or '', '^%d+|([^|]+)|')
if not node then return 0 end
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
redis.call('ZADD', KEYS[6], now, id)
return 1

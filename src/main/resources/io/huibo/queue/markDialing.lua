-- Record the attempt about to be dialed, only while the caller holds the callback's lease with this
-- fence AND the node's ownership lease with this token (Redis time) AND the node is not draining. So
-- no instance can start a call on a node it lost, and a drain takes effect for every instance at once.
-- KEYS: see enqueue.lua. ARGV: id, owner, fence, attempt, node, channel, started millis, node token
-- Returns 1 marked, 0 callback lease lost, 2 node refused (not ours any more, or draining).
local id, owner, fence, node, token = ARGV[1], ARGV[2], ARGV[3], ARGV[5], ARGV[8]
local now = now_ms()
local exp = redis.call('ZSCORE', KEYS[1], id)
if not exp or tonumber(exp) <= now then return 0 end
if redis.call('HGET', KEYS[2], id) ~= owner or redis.call('HGET', KEYS[3], id) ~= fence then return 0 end
local lease = redis.call('HGET', KEYS[9], node)
if not lease then return 2 end
local o, tok, until_ = string.match(lease, '^(.*)|(%d+)|(%d+)$')
if o ~= owner or tok ~= token or tonumber(until_) <= now then return 2 end
if redis.call('SISMEMBER', KEYS[10], node) == 1 then return 2 end
redis.call('HSET', KEYS[5], id, ARGV[4] .. '|' .. node .. '|' .. ARGV[6] .. '|' .. ARGV[7])
return 1

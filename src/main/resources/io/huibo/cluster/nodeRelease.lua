-- Give a node up, only with the lease's own token.
-- KEYS: 1 node leases hash, 2 node status hash. ARGV: node, me, token. Returns 1 released, 0 not ours.
local node, me, token = ARGV[1], ARGV[2], ARGV[3]
local v = redis.call('HGET', KEYS[1], node)
if not v then return 0 end
local o, tok = string.match(v, '^(.*)|(%d+)|(%d+)$')
if o ~= me or tok ~= token then return 0 end
redis.call('HDEL', KEYS[1], node)
redis.call('HDEL', KEYS[2], node)
return 1

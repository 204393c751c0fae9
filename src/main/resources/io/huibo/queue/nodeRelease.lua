-- Give a node up, only with the lease's own token. KEYS[1] unused; ARGV: base, node, me, token.
local base, node, me, token = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local key = base .. ':node:' .. node
local lease = redis.call('HMGET', key, 'owner', 'token')
if lease[1] ~= me or lease[2] ~= token then return 0 end
redis.call('DEL', key, base .. ':nodestatus:' .. node)
return 1

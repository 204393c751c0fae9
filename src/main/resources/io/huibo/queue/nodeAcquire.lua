-- Take a free node for `me` with a new fencing token (one counter per prefix, so a later owner always
-- holds a higher token). KEYS[1] unused; ARGV: base, node, me, ttl ms. Returns the token, or 0 if taken.
local base, node, me, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local key = base .. ':node:' .. node
if redis.call('EXISTS', key) == 1 then return 0 end
local token = redis.call('INCR', base .. ':nodefence')
redis.call('HSET', key, 'owner', me, 'token', token)
redis.call('PEXPIRE', key, ttl)
return token

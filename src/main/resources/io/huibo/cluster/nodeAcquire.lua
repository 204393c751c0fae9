-- Take a node nobody holds (no lease, or an expired one: Redis time) for `me`, with a new fencing token
-- (one counter, so a later owner always holds a higher token).
-- KEYS: 1 node leases hash, 2 node fence counter. ARGV: node, me, ttl ms. Returns the token, or 0 if held.
local node, me, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('HGET', KEYS[1], node)
if v then
  local _, _, exp = string.match(v, '^(.*)|(%d+)|(%d+)$')
  if tonumber(exp) > now then return 0 end
end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], node, me .. '|' .. token .. '|' .. (now + ttl))
return token

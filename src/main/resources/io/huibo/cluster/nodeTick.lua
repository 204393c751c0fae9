-- One round trip per ownership tick: the instance's heartbeat and FastAGI address, the renewal of the
-- node leases it holds (fenced by token) with the status it publishes for them, the shared view of
-- every configured node, and the live instances. "Now" is Redis TIME: hosts' clocks may differ.
-- KEYS: 1 instances zset (id -> heartbeat expiry), 2 agi hash (id -> host:port), 3 node leases hash
--   (node -> owner|token|expiry), 4 node status hash (node -> expiry|json), 5 draining set,
--   6 node list version
-- ARGV: me, agi address, instance ttl ms, node ttl ms, k (held count), k x (node, token, status json),
--   then the configured node ids.
-- Returns {liveInstances, k renewed flags, per configured node: owner, token, draining, status,
--   node list version, then (instance, agi address) per live instance}.
local me, agi, ittl, nttl, k = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + ittl, me)
redis.call('HSET', KEYS[2], me, agi)
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('HDEL', KEYS[2], gone)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local out = {redis.call('ZCARD', KEYS[1])}
local function lease(node)
  local v = redis.call('HGET', KEYS[3], node)
  if not v then return nil, nil end
  local o, tok, exp = string.match(v, '^(.*)|(%d+)|(%d+)$')
  if tonumber(exp) <= now then return nil, nil end
  return o, tok
end
local i = 6
for _ = 1, k do
  local node, token, status = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  i = i + 3
  local o, tok = lease(node)
  if o == me and tok == token then
    redis.call('HSET', KEYS[3], node, me .. '|' .. token .. '|' .. (now + nttl))
    redis.call('HSET', KEYS[4], node, (now + nttl) .. '|' .. status)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
for j = i, #ARGV do
  local node = ARGV[j]
  local o, tok = lease(node)
  out[#out + 1] = o or ''
  out[#out + 1] = tok or ''
  out[#out + 1] = redis.call('SISMEMBER', KEYS[5], node)
  local status = ''
  if o then
    local s = redis.call('HGET', KEYS[4], node)
    if s then
      local exp, json = string.match(s, '^(%d+)|(.*)$')
      if tonumber(exp) > now then status = json end
    end
  end
  out[#out + 1] = status
end
out[#out + 1] = redis.call('GET', KEYS[6]) or '0'
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
end
return out

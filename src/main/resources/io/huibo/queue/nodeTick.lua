-- One round trip per ownership tick: the instance's heartbeat, the renewal of the node leases it holds
-- (fenced by token) with the status it publishes for them, and the shared view of every node.
-- KEYS[1] leases zset (unused, keeps the slot); ARGV: base, me, now millis, instance ttl ms, node ttl ms,
--   k (owned count), then k x (node, token, status json), then the configured node ids.
-- Returns {liveInstances, renewed flags (k), then per configured node: owner, token, draining, status,
--   then the node configuration version (see nodesReload.lua)}.
local base, me, now, ittl, nttl, k = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local inst = base .. ':instances'
redis.call('ZADD', inst, now + ittl, me)
redis.call('ZREMRANGEBYSCORE', inst, '-inf', now)
local out = {redis.call('ZCARD', inst)}
local i = 7
for _ = 1, k do
  local node, token, status = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  i = i + 3
  local key = base .. ':node:' .. node
  local lease = redis.call('HMGET', key, 'owner', 'token')
  if lease[1] == me and lease[2] == token then
    redis.call('PEXPIRE', key, nttl)
    redis.call('SET', base .. ':nodestatus:' .. node, status, 'PX', nttl)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
for j = i, #ARGV do
  local node = ARGV[j]
  local lease = redis.call('HMGET', base .. ':node:' .. node, 'owner', 'token')
  out[#out + 1] = lease[1] or ''
  out[#out + 1] = lease[2] or ''
  out[#out + 1] = redis.call('SISMEMBER', base .. ':draining', node)
  out[#out + 1] = redis.call('GET', base .. ':nodestatus:' .. node) or ''
end
out[#out + 1] = redis.call('GET', base .. ':nodesversion') or '0'
return out

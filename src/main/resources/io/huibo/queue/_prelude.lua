-- Prepended to every script of this package (RedisScripts): helpers on the KEYS every queue script gets.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- The callback is leased, to this owner, under this claim's fence.
local function held(id, owner, fence)
  return redis.call('ZSCORE', KEYS[1], id) and redis.call('HGET', KEYS[2], id) == owner
      and redis.call('HGET', KEYS[3], id) == fence
end
-- Everything a claimed callback holds besides its zset entries.
local function forget(id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
  redis.call('SREM', KEYS[11], id)
end

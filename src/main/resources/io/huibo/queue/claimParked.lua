-- Lease callbacks parked for the given nodes (their attempts are in flight there), for the owner of
-- those nodes: a node whose lease `owner` does not hold now (Redis time) is skipped.
-- KEYS: see enqueue.lua. ARGV: max, lease ttl ms, owner, node...
-- Same reply as claim.lua.
local max, ttl, owner = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local now = now_ms()
local mine = {}
local any = false
for i = 4, #ARGV do
  local lease = redis.call('HGET', KEYS[9], ARGV[i])
  if lease then
    local o, _, exp = string.match(lease, '^(.*)|(%d+)|(%d+)$')
    if o == owner and tonumber(exp) > now then
      mine[ARGV[i]] = true
      any = true
    end
  end
end
local out = {}
if not any then return out end
local n = 0
-- oldest first; parked ones are few (an owner died or a node changed hands), so a bounded scan suffices
local ids = redis.call('ZRANGE', KEYS[6], 0, 4999)
for _, id in ipairs(ids) do
  if n >= max then break end
  local inflight = redis.call('HGET', KEYS[5], id) or ''
  local node = string.match(inflight, '^%d+|([^|]*)|')
  if node and mine[node] then
    redis.call('ZREM', KEYS[6], id)
    redis.call('ZADD', KEYS[1], now + ttl, id)
    local fence = redis.call('INCR', KEYS[7])
    local prio = tonumber(redis.call('HGET', KEYS[4], id) or '0')
    redis.call('HSET', KEYS[2], id, owner)
    redis.call('HSET', KEYS[3], id, fence)
    redis.call('HSET', KEYS[4], id, prio)
    out[#out + 1] = id
    out[#out + 1] = prio
    out[#out + 1] = fence
    out[#out + 1] = inflight
    out[#out + 1] = redis.call('SREM', KEYS[11], id)
    n = n + 1
  end
end
return out

-- Extend the leases the owner still holds with these fences (Redis time).
-- KEYS: see enqueue.lua. ARGV: owner, ttl ms, then (id, fence) pairs
-- Returns the ids NOT renewed: their lease is gone (expired and reaped, or re-claimed by another).
local owner, ttl = ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lost = {}
for i = 3, #ARGV, 2 do
  local id, fence = ARGV[i], ARGV[i + 1]
  if redis.call('ZSCORE', KEYS[1], id) and redis.call('HGET', KEYS[2], id) == owner
      and redis.call('HGET', KEYS[3], id) == fence then
    redis.call('ZADD', KEYS[1], 'XX', now + ttl, id)
  else
    lost[#lost + 1] = id
  end
end
return lost

-- Extend the leases the owner still holds with these fences (Redis time).
-- KEYS: see enqueue.lua. ARGV: owner, ttl ms, then (id, fence) pairs
-- Returns the ids NOT renewed: their lease is gone (expired and reaped, or re-claimed by another).
local owner, ttl = ARGV[1], tonumber(ARGV[2])
local now = now_ms()
local lost = {}
for i = 3, #ARGV, 2 do
  local id, fence = ARGV[i], ARGV[i + 1]
  if held(id, owner, fence) then
    redis.call('ZADD', KEYS[1], 'XX', now + ttl, id)
  else
    lost[#lost + 1] = id
  end
end
return lost

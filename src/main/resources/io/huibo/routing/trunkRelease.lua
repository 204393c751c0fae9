-- Give back the slots an attempt holds: the first one on `trunk`, or all of them when trunk is ''.
-- KEYS: as trunkAcquire.lua. ARGV: callbackId, attempt, trunk. Returns how many were given back.
local owner, only = ARGV[1] .. ':' .. ARGV[2], ARGV[3]
local held = redis.call('HGET', KEYS[4], owner)
if not held then return 0 end
local kept = {}
local n = 0
for m in string.gmatch(held, '[^;]+') do
  local tr = string.match(m, '^([^|]*)|')
  if only == '' or (tr == only and n == 0) then
    if redis.call('ZREM', KEYS[1], m) == 1 then
      if redis.call('HINCRBY', KEYS[2], tr, -1) <= 0 then redis.call('HDEL', KEYS[2], tr) end
    end
    n = n + 1
  else
    kept[#kept + 1] = m
  end
end
if #kept == 0 then redis.call('HDEL', KEYS[4], owner) else redis.call('HSET', KEYS[4], owner, table.concat(kept, ';')) end
return n

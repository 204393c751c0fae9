-- How many callbacks wait in the ready sets (leased and parked ones excluded). KEYS: see enqueue.lua.
local total = 0
for p = 0, 9 do
  total = total + redis.call('ZCARD', KEYS[12 + p])
end
return total

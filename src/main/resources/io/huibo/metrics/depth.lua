-- Queue depth for the metrics: per priority 0..9, the callbacks waiting (ZCARD) and those due now.
-- KEYS: ready:0 .. ready:9. Scores are dueMillis * 4096 + seq % 4096 (see CallbackQueue).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for p = 1, 10 do
  out[#out + 1] = redis.call('ZCARD', KEYS[p])
  out[#out + 1] = redis.call('ZCOUNT', KEYS[p], '-inf', now * 4096 + 4095)
end
return out

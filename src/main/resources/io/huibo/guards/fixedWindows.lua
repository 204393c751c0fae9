-- Fixed-window counters, all checked before any is counted: a refused request counts against nothing.
-- Each window is aligned to the epoch (a minute, a UTC day), so every instance counts in the same one;
-- a counter expires at its window's end (Redis time), which is also when a refused client may retry.
-- KEYS[i]: a counter. ARGV[2i-1]: its limit, ARGV[2i]: its window in seconds.
-- Returns {0, 0} when counted, or {i, ms}: the first counter over its limit, and the milliseconds until
-- the latest reset among those over theirs.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local over, wait = 0, 0
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i - 1])
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= limit then
    local w = tonumber(ARGV[2 * i]) * 1000
    local left = (math.floor(now / w) + 1) * w - now
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl > 0 then left = ttl end
    if over == 0 then over = i end
    if left > wait then wait = left end
  end
end
if over > 0 then return {over, wait} end
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then
    local w = tonumber(ARGV[2 * i]) * 1000
    redis.call('PEXPIREAT', KEYS[i], (math.floor(now / w) + 1) * w)
  end
end
return {0, 0}

-- Figures of the schedule for GET /v1/queue. KEYS: see enqueue.lua. ARGV: none.
-- Returns: redis now (ms), leased, parked, then per priority 0..9: waiting, due now, lowest score ('' if empty).
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxScore = string.format('%.0f', nowMs * 4096 + 4095)
local out = {nowMs, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[6])}
for p = 0, 9 do
  out[#out + 1] = redis.call('ZCARD', KEYS[12 + p])
  out[#out + 1] = redis.call('ZCOUNT', KEYS[12 + p], '-inf', maxScore)
  local first = redis.call('ZRANGE', KEYS[12 + p], 0, 0, 'WITHSCORES')
  out[#out + 1] = first[2] or ''
end
return out

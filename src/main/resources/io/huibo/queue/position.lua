-- Where a waiting callback stands: how many ready callbacks a claim takes before it (claim.lua's order:
-- priority 9 first, then score), counting only those due by the time it is (or now, if it is due).
-- KEYS: see enqueue.lua. ARGV: id
-- Returns {ahead, dueMillis}, or {} when it is not in a ready set (leased, parked, or not queued).
local id = ARGV[1]
local mine, score = nil, nil
for p = 0, 9 do
  local s = redis.call('ZSCORE', KEYS[12 + p], id)
  if s then
    mine, score = p, tonumber(s)
    break
  end
end
if not mine then
  return {}
end
local now = now_ms()
local nowMax = now * 4096 + 4095
local upTo = score
if nowMax > upTo then upTo = nowMax end
local upToArg = string.format('%.0f', upTo)
local ahead = redis.call('ZCOUNT', KEYS[12 + mine], '-inf', '(' .. string.format('%.0f', score))
for p = mine + 1, 9 do
  ahead = ahead + redis.call('ZCOUNT', KEYS[12 + p], '-inf', upToArg)
end
return {ahead, math.floor(score / 4096)}

-- A trunk slot for one attempt, if the trunk is under its concurrency and calls-per-second limits,
-- counted for all instances, with Redis TIME. Slots older than maxHold are dropped first (their release
-- never came: the instance holding them died).
-- KEYS: 1 slots zset (trunk|callback:attempt:seq -> taken ms), 2 counts hash (trunk -> slots held),
--   3 starts zset (trunk|seq -> ms, the last second), 4 holds hash (callback:attempt -> slot;slot...),
--   5 slot sequence counter
-- ARGV: trunk, callbackId, attempt, maxConcurrent (0 = none), maxCallsPerSecond (0 = none), maxHold ms.
-- Returns 1 taken, 0 full.
local trunk, cb, attempt = ARGV[1], ARGV[2], ARGV[3]
local maxc, cps, hold = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function without(list, member)
  local kept = {}
  for m in string.gmatch(list or '', '[^;]+') do
    if m ~= member then kept[#kept + 1] = m end
  end
  return table.concat(kept, ';')
end

-- leaked slots go even without a concurrency limit: they must not stay until the end of time
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - hold, 'LIMIT', 0, 1000)) do
  redis.call('ZREM', KEYS[1], m)
  local tr, owner = string.match(m, '^([^|]*)|(.*):%d+$')
  if redis.call('HINCRBY', KEYS[2], tr, -1) <= 0 then redis.call('HDEL', KEYS[2], tr) end
  local rest = without(redis.call('HGET', KEYS[4], owner), m)
  if rest == '' then redis.call('HDEL', KEYS[4], owner) else redis.call('HSET', KEYS[4], owner, rest) end
end
if maxc > 0 and tonumber(redis.call('HGET', KEYS[2], trunk) or '0') >= maxc then return 0 end
if cps > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 1000)
  local started = 0
  for _, m in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
    if string.sub(m, 1, #trunk + 1) == trunk .. '|' then started = started + 1 end
  end
  if started >= cps then return 0 end
end
local seq = redis.call('INCR', KEYS[5])
local owner = cb .. ':' .. attempt
local member = trunk .. '|' .. owner .. ':' .. seq
redis.call('ZADD', KEYS[1], now, member)
redis.call('HINCRBY', KEYS[2], trunk, 1)
if cps > 0 then redis.call('ZADD', KEYS[3], now, trunk .. '|' .. seq) end
local held = redis.call('HGET', KEYS[4], owner)
redis.call('HSET', KEYS[4], owner, held and (held .. ';' .. member) or member)
return 1

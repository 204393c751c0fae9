-- A trunk slot for one attempt, if the trunk is under its concurrency and calls-per-second limits,
-- counted for all instances. Slots older than maxHold are dropped first (their release never came:
-- the instance holding them died).
-- KEYS[1] unused; ARGV: base, trunk, callbackId, attempt, now ms, maxConcurrent (0 = none),
--   maxCallsPerSecond (0 = none), maxHold ms. Returns 1 taken, 0 full.
local base, trunk, cb, attempt = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now, maxc, cps, hold = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local slots = base .. ':trunk:' .. trunk .. ':slots'
local starts = base .. ':trunk:' .. trunk .. ':starts'
-- trimmed even without a concurrency limit: the zset must not keep every leaked slot until it expires
redis.call('ZREMRANGEBYSCORE', slots, '-inf', now - hold)
if maxc > 0 and redis.call('ZCARD', slots) >= maxc then return 0 end
if cps > 0 then
  redis.call('ZREMRANGEBYSCORE', starts, '-inf', now - 1000)
  if redis.call('ZCARD', starts) >= cps then return 0 end
end
local seq = redis.call('INCR', base .. ':trunkseq')
local member = cb .. ':' .. attempt .. ':' .. seq
redis.call('ZADD', slots, now, member)
redis.call('PEXPIRE', slots, hold)
if cps > 0 then
  redis.call('ZADD', starts, now, member)
  redis.call('PEXPIRE', starts, 2000)
end
local holds = base .. ':trunkholds:' .. cb .. ':' .. attempt
redis.call('RPUSH', holds, trunk .. '|' .. member)
redis.call('PEXPIRE', holds, hold)
return 1

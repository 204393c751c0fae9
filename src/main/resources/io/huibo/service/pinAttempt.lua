-- Wrong PINs of one caller ID and its lockout (RedisPinAttempts); Redis time via key TTLs.
-- KEYS[1] failure count (expires pinWindow after the first failure), KEYS[2] lockout (expires after lockout).
-- ARGV[1] check | fail | ok, ARGV[2] maxWrongPins, ARGV[3] pinWindow ms, ARGV[4] lockout ms.
-- Returns {failures, lockout ms left (0: none), 1 when this failure started the lockout else 0}.
local locked = redis.call('PTTL', KEYS[2])
if locked < 0 then locked = 0 end
if ARGV[1] == 'check' then
  return {0, locked, 0}
end
if ARGV[1] == 'ok' then
  if locked == 0 then redis.call('DEL', KEYS[1]) end
  return {0, locked, 0}
end
if locked > 0 then
  return {0, locked, 0}
end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if n >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[4])
  redis.call('DEL', KEYS[1])
  return {n, tonumber(ARGV[4]), 1}
end
return {n, 0, 0}

-- Move a waiting callback to another due time and/or priority (an operator's PATCH).
-- KEYS: see enqueue.lua. ARGV: id, priority, dueMillis*4096
-- Returns 1 MOVED, 2 BUSY (leased, parked, or an attempt possibly still live on a PBX: see cancel.lua),
-- 0 NOT_FOUND (not indexed: the caller indexes it once MariaDB agrees it is still queued).
local id, prio, due = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('ZSCORE', KEYS[1], id) or redis.call('ZSCORE', KEYS[6], id) then return 2 end
if redis.call('HEXISTS', KEYS[5], id) == 1 then return 2 end
local found = false
-- every set, not only the stored priority's: a change of priority must never leave a second entry
for p = 0, 9 do
  if redis.call('ZREM', KEYS[12 + p], id) == 1 then found = true end
end
if not found then return 0 end
local seq = redis.call('INCR', KEYS[8])
redis.call('ZADD', KEYS[12 + prio], string.format('%.0f', due + (seq % 4096)), id)
return 1

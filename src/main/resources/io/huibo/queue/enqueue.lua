-- Queue a callback that is neither ready nor leased.
-- KEYS[1] leases zset; ARGV: base ({P}), id, priority, dueMillis*4096 (decimal string)
-- Returns 1 if queued, 0 if it already was (idempotent).
local base, id, prio, due = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('ZSCORE', KEYS[1], id) then return 0 end
-- the priority is fixed at creation: a queued callback can only be in its own priority's set
if redis.call('ZSCORE', base .. ':ready:' .. prio, id) then return 0 end
-- A fresh callback has no in-flight attempt: drop any leftover hash so the only memory it uses is the zset entry.
redis.call('DEL', base .. ':job:' .. id)
local seq = redis.call('INCR', base .. ':seq')
redis.call('ZADD', base .. ':ready:' .. prio, string.format('%.0f', tonumber(due) + (seq % 4096)), id)
return 1

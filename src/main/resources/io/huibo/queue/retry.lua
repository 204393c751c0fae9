-- Put a leased callback back into ready for a later attempt, only for its owner. The attempt is
-- over, so the in-flight info goes with the hash.
-- KEYS[1] leases zset; ARGV: base, id, owner, priority, dueMillis*4096
local base, id, owner, prio, due = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local job = base .. ':job:' .. id
if redis.call('HGET', job, 'owner') ~= owner then return 0 end
if redis.call('ZREM', KEYS[1], id) == 0 then return 0 end
redis.call('DEL', job)
local seq = redis.call('INCR', base .. ':seq')
redis.call('ZADD', base .. ':ready:' .. prio, string.format('%.0f', tonumber(due) + (seq % 4096)), id)
return 1

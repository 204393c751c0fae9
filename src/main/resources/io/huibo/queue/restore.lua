-- Re-index a callback after Redis lost it, keeping what is known of its in-flight attempt so the
-- next owner reconciles with the PBX instead of dialing again.
-- KEYS[1] leases zset; ARGV: base, id, priority, dueMillis*4096, attempt (0 = none), node, channel
local base, id, prio, due = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local attempt, node, channel = tonumber(ARGV[5]), ARGV[6], ARGV[7]
if redis.call('ZSCORE', KEYS[1], id) then return 0 end
for p = 0, 9 do
  if redis.call('ZSCORE', base .. ':ready:' .. p, id) then return 0 end
end
local job = base .. ':job:' .. id
-- parked for the owner of the node its attempt runs on: already indexed
local parkedOn = redis.call('HGET', job, 'node')
if parkedOn and parkedOn ~= '' and redis.call('ZSCORE', base .. ':parked:' .. parkedOn, id) then return 0 end
redis.call('DEL', job)
if attempt > 0 then
  redis.call('HSET', job, 'prio', prio, 'attempt', attempt)
  if node ~= '' then redis.call('HSET', job, 'node', node) end
  if channel ~= '' then redis.call('HSET', job, 'channel', channel) end
end
local seq = redis.call('INCR', base .. ':seq')
redis.call('ZADD', base .. ':ready:' .. prio, string.format('%.0f', tonumber(due) + (seq % 4096)), id)
return 1

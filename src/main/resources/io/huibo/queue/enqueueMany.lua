-- enqueue.lua for many callbacks in one call: the HTTP API accepts callbacks in group-committed
-- batches, and one script call per batch spares Redis and the client a round trip per callback.
-- KEYS[1] leases zset; ARGV: base, then (id, priority, dueMillis*4096) per callback
-- Returns one 1 (queued) or 0 (already queued, leased or parked) per callback, in order.
-- A callback's priority is fixed when it is created, so a queued one can only be in the ready set
-- of its own priority: one lookup there, not one per priority (this runs for every accepted callback).
local base = ARGV[1]
local out = {}
local n = (#ARGV - 1) / 3
-- one sequence step per batch; the tie-breaker of callback i is (last - n + i)
local seq = redis.call('INCRBY', base .. ':seq', n) - n
for i = 2, #ARGV, 3 do
  local id, prio, due = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local ready = base .. ':ready:' .. prio
  local job = base .. ':job:' .. id
  local known = redis.call('ZSCORE', KEYS[1], id) or redis.call('ZSCORE', ready, id)
  if not known then
    -- parked for the owner of the node its attempt runs on: already indexed
    local parkedOn = redis.call('HGET', job, 'node')
    if parkedOn and parkedOn ~= '' and redis.call('ZSCORE', base .. ':parked:' .. parkedOn, id) then known = true end
  end
  seq = seq + 1
  if known then
    out[#out + 1] = 0
  else
    redis.call('DEL', job)
    redis.call('ZADD', ready, string.format('%.0f', tonumber(due) + (seq % 4096)), id)
    out[#out + 1] = 1
  end
end
return out

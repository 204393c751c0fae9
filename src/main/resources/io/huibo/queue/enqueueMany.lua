-- enqueue.lua for many callbacks in one call: the HTTP API accepts callbacks in group-committed
-- batches, and one script call per batch spares Redis and the client a round trip per callback.
-- KEYS[1] leases zset; ARGV: base, then (id, priority, dueMillis*4096) per callback
-- Returns one 1 (queued) or 0 (already queued, leased or parked) per callback, in order.
local base = ARGV[1]
local out = {}
for i = 2, #ARGV, 3 do
  local id, prio, due = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local known = redis.call('ZSCORE', KEYS[1], id)
  if not known then
    for p = 0, 9 do
      if redis.call('ZSCORE', base .. ':ready:' .. p, id) then known = true break end
    end
  end
  local job = base .. ':job:' .. id
  if not known then
    -- parked for the owner of the node its attempt runs on: already indexed
    local parkedOn = redis.call('HGET', job, 'node')
    if parkedOn and parkedOn ~= '' and redis.call('ZSCORE', base .. ':parked:' .. parkedOn, id) then known = true end
  end
  if known then
    out[#out + 1] = 0
  else
    redis.call('DEL', job)
    local seq = redis.call('INCR', base .. ':seq')
    redis.call('ZADD', base .. ':ready:' .. prio, string.format('%.0f', tonumber(due) + (seq % 4096)), id)
    out[#out + 1] = 1
  end
end
return out

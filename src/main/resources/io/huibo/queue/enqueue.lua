-- Queue callbacks that are neither ready, leased nor parked (idempotent: a known one is left alone).
-- KEYS: see CallbackQueue; helpers in _prelude.lua (1 leases, 2 owner, 3 fence, 4 prio, 5 inflight, 6 parked, 7 fenceseq,
--   8 seq, 9 node leases, 10 draining, 11 orphaned, 12..21 ready:0..9)
-- ARGV: (id, priority, dueMillis*4096 or '' for now) per callback
-- Returns one 1 (queued) or 0 (already known) per callback, in order.
local t = redis.call('TIME')
local now4096 = (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) * 4096
local out = {}
local n = #ARGV / 3
-- one sequence step per batch; the tie-breaker of callback i is (last - n + i)
local seq = redis.call('INCRBY', KEYS[8], n) - n
for i = 1, #ARGV, 3 do
  local id, prio, due = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  -- a callback's priority is fixed at creation: a queued one can only be in its own priority's set
  seq = seq + 1
  if redis.call('ZSCORE', KEYS[1], id) or redis.call('ZSCORE', KEYS[12 + prio], id) or redis.call('ZSCORE', KEYS[6], id) then
    out[#out + 1] = 0
  else
    -- a fresh callback has no in-flight attempt: only its zset entry uses memory
    forget(id)
    local score = now4096
    if due ~= '' then score = tonumber(due) end
    redis.call('ZADD', KEYS[12 + prio], string.format('%.0f', score + (seq % 4096)), id)
    out[#out + 1] = 1
  end
end
return out

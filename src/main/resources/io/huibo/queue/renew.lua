-- Extend the leases the owner still holds. KEYS[1] leases zset; ARGV: base, owner, expiry, id...
-- Returns how many were renewed.
local base, owner, expiry = ARGV[1], ARGV[2], ARGV[3]
local count = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  if redis.call('HGET', base .. ':job:' .. id, 'owner') == owner and redis.call('ZSCORE', KEYS[1], id) then
    redis.call('ZADD', KEYS[1], 'XX', expiry, id)
    count = count + 1
  end
end
return count

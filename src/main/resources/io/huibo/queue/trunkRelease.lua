-- Give back the slots an attempt holds: the first one on `trunk`, or all of them when trunk is ''.
-- KEYS[1] unused; ARGV: base, callbackId, attempt, trunk. Returns how many were given back.
local base, cb, attempt, only = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local holds = base .. ':trunkholds:' .. cb .. ':' .. attempt
local all = redis.call('LRANGE', holds, 0, -1)
local n = 0
for _, h in ipairs(all) do
  local sep = string.find(h, '|', 1, true)
  local trunk, member = string.sub(h, 1, sep - 1), string.sub(h, sep + 1)
  if only == '' or (trunk == only and n == 0) then
    redis.call('ZREM', base .. ':trunk:' .. trunk .. ':slots', member)
    redis.call('LREM', holds, 1, h)
    n = n + 1
  end
end
return n

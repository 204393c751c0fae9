-- How many callbacks wait in the ready sets (leased ones excluded). ARGV: base
local total = 0
for p = 0, 9 do
  total = total + redis.call('ZCARD', ARGV[1] .. ':ready:' .. p)
end
return total

-- Set or clear the shared drain flag of a node. KEYS: 1 draining set. ARGV: node, 1|0. Returns 1.
if ARGV[2] == '1' then
  redis.call('SADD', KEYS[1], ARGV[1])
else
  redis.call('SREM', KEYS[1], ARGV[1])
end
return 1

-- Set or clear the shared drain flag of a node. KEYS[1] unused; ARGV: base, node, 1|0. Returns 1.
if ARGV[3] == '1' then
  redis.call('SADD', ARGV[1] .. ':draining', ARGV[2])
else
  redis.call('SREM', ARGV[1] .. ':draining', ARGV[2])
end
return 1

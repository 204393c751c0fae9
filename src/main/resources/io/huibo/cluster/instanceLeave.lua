-- An instance stops: its heartbeat and FastAGI address go at once, so the others' fair share grows now
-- and no Originate names it as a FastAGI fallback. KEYS: 1 instances zset, 2 agi hash. ARGV: me.
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('ZREM', KEYS[1], ARGV[1])

-- An instance stops: its heartbeat goes at once so the others' fair share grows now.
-- KEYS[1] unused; ARGV: base, me
return redis.call('ZREM', ARGV[1] .. ':instances', ARGV[2])

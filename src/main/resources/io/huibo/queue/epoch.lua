-- The data set's epoch: set once (to the caller's random candidate) when missing. A Redis that lost its
-- data (restarted without its files, flushed) answers with a new one, so instances re-index from MariaDB.
-- The serving process's run_id follows it: a restart or a Sentinel failover changes it, and a promoted
-- replica (asynchronous replication) or a restart from an append-only file may lack the last writes.
-- KEYS[1] epoch. ARGV: candidate. Returns "<epoch>@<run_id>".
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)') or ''
return redis.call('GET', KEYS[1]) .. '@' .. run

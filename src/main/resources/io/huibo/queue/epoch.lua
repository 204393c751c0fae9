-- The data set's epoch: set once (to the caller's random candidate) when missing. A Redis that lost its
-- data (restarted without its files, flushed) answers with a new one, so instances re-index from MariaDB.
-- KEYS[1] epoch. ARGV: candidate. Returns the epoch.
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])

-- A node list was reloaded on one instance: bump the version every instance watches in its ownership
-- tick, so each reloads its own configuration source too. KEYS: 1 node list version. Returns the version.
return redis.call('INCR', KEYS[1])

-- Issue 12, toll-fraud guards: a key's own destination rules, added to the configured guards.allow and
-- guards.deny (a deny entry beats every allow entry). Space-separated prefixes (+4930, 9) and, in
-- guard_allow, categories (premium-rate, satellite, international); NULL: none of its own.
ALTER TABLE api_keys
    ADD COLUMN guard_allow VARCHAR(1000) CHARACTER SET ascii NULL COMMENT 'space-separated prefixes or categories',
    ADD COLUMN guard_deny  VARCHAR(1000) CHARACTER SET ascii NULL COMMENT 'space-separated prefixes';

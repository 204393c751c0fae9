-- Issue 12: API keys with scopes. A key is hb_<key_id>_<secret>; only the SHA-256 of the secret is
-- stored. The old table held the config token's hash under 'bootstrap'; the config token is now only a
-- bootstrap admin while no active key exists, so that row has nothing to carry over.
DROP TABLE api_keys;

CREATE TABLE api_keys (
    key_id        CHAR(12)      CHARACTER SET ascii NOT NULL COMMENT 'shown to humans; hex, part of the key',
    name          VARCHAR(64)   NOT NULL,
    scopes        VARCHAR(255)  CHARACTER SET ascii NOT NULL COMMENT 'space-separated',
    secret_sha256 CHAR(64)      CHARACTER SET ascii NOT NULL,
    webhook       VARCHAR(2000) NULL COMMENT 'for callbacks submitted with this key that name none',
    created_at    DATETIME(3)   NOT NULL,
    rotated_at    DATETIME(3)   NULL,
    revoked_at    DATETIME(3)   NULL,
    PRIMARY KEY (key_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Bumped in the transaction of every change to api_keys; each instance polls it (every 200 ms) and
-- reloads its copy of the keys when it moves, so a revocation holds everywhere within a second.
CREATE TABLE api_key_version (
    id      TINYINT NOT NULL,
    version BIGINT  NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB;

INSERT INTO api_key_version (id, version) VALUES (1, 0);

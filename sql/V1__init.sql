-- Huibo schema, version 1. All times are DATETIME(3) in UTC (the application sets the session time
-- zone to +00:00 and binds UTC values). Ids are ASCII (Crockford base32), numbers digits and '+'.

CREATE TABLE callbacks (
    id              CHAR(26)     CHARACTER SET ascii NOT NULL,
    number          VARCHAR(21)  CHARACTER SET ascii NOT NULL,
    destination     VARCHAR(21)  CHARACTER SET ascii NOT NULL,
    caller_id       VARCHAR(255) NULL,
    priority        TINYINT      NOT NULL,
    max_attempts    TINYINT      NOT NULL,
    metadata        TEXT         NOT NULL COMMENT 'JSON object of string values',
    idempotency_key VARCHAR(255) NULL,
    state           VARCHAR(16)  CHARACTER SET ascii NOT NULL,
    attempts        INT          NOT NULL DEFAULT 0,
    due_at          DATETIME(3)  NOT NULL,
    created_at      DATETIME(3)  NOT NULL,
    updated_at      DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_callbacks_idempotency (idempotency_key),
    -- active() re-indexes Redis from the QUEUED and DIALING callbacks, ordered by id
    KEY ix_callbacks_state_id (state, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE attempts (
    callback_id  CHAR(26)     CHARACTER SET ascii NOT NULL,
    number       INT          NOT NULL,
    node_id      VARCHAR(64)  NULL,
    channel_id   VARCHAR(64)  CHARACTER SET ascii NOT NULL,
    started_at   DATETIME(3)  NOT NULL,
    answered_at  DATETIME(3)  NULL,
    ended_at     DATETIME(3)  NULL,
    outcome      VARCHAR(16)  CHARACTER SET ascii NULL,
    failed_leg   CHAR(1)      CHARACTER SET ascii NULL,
    hangup_cause INT          NULL,
    detail       VARCHAR(1000) NULL,
    PRIMARY KEY (callback_id, number),
    KEY ix_attempts_channel (channel_id),
    CONSTRAINT fk_attempts_callback FOREIGN KEY (callback_id) REFERENCES callbacks (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- State history: one row per successful transition, written in the same transaction.
CREATE TABLE callback_events (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    callback_id CHAR(26)     CHARACTER SET ascii NOT NULL,
    at          DATETIME(3)  NOT NULL,
    from_state  VARCHAR(16)  CHARACTER SET ascii NOT NULL,
    to_state    VARCHAR(16)  CHARACTER SET ascii NOT NULL,
    detail      VARCHAR(1000) NULL,
    PRIMARY KEY (id),
    KEY ix_events_callback (callback_id, id),
    CONSTRAINT fk_events_callback FOREIGN KEY (callback_id) REFERENCES callbacks (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- API keys: only the SHA-256 (hex) of a token is stored, never the token.
CREATE TABLE api_keys (
    name       VARCHAR(64) NOT NULL,
    sha256     CHAR(64)    CHARACTER SET ascii NOT NULL,
    created_at DATETIME(3) NOT NULL,
    PRIMARY KEY (name),
    UNIQUE KEY uq_api_keys_sha256 (sha256)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

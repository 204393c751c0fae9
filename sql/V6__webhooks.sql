-- Issue 11: live events and webhooks.
--
-- callback_events becomes the one ordered log of everything that happens to a callback: its id is the
-- event id of GET /v1/events (Last-Event-ID) and of the webhooks. Besides the state moves it now holds
-- the creation of a callback (from_state NULL, to_state 'queued') and each attempt result (kind
-- 'attempt', the attempt's number; outcome, leg and cause are read from its row in attempts, whose first
-- recorded end never changes).
ALTER TABLE callback_events
    ADD COLUMN kind    VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'state' AFTER at,
    ADD COLUMN attempt INT NULL AFTER kind,
    MODIFY COLUMN from_state VARCHAR(16) CHARACTER SET ascii NULL,
    MODIFY COLUMN to_state   VARCHAR(16) CHARACTER SET ascii NULL;

-- The webhook URL a request named (checked at submit and again when delivering).
CREATE TABLE callback_webhooks (
    callback_id CHAR(26)      CHARACTER SET ascii NOT NULL,
    url         VARCHAR(2000) NOT NULL,
    PRIMARY KEY (callback_id),
    CONSTRAINT fk_webhooks_callback FOREIGN KEY (callback_id) REFERENCES callbacks (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The outbox: one row per event and target, written by whichever instance holds webhook_cursor, sent
-- by whichever instance claims it. A claim is a lease (lease_owner, lease_until): an instance that dies
-- mid-delivery leaves a lease that expires, and the row is sent again (at least once).
CREATE TABLE webhook_deliveries (
    id           BIGINT        NOT NULL AUTO_INCREMENT,
    event_id     BIGINT        NOT NULL,
    callback_id  CHAR(26)      CHARACTER SET ascii NOT NULL,
    url          VARCHAR(2000) NOT NULL,
    status       VARCHAR(16)   CHARACTER SET ascii NOT NULL COMMENT 'pending, delivered, failed (gave up)',
    attempts     INT           NOT NULL DEFAULT 0,
    next_at      DATETIME(3)   NOT NULL,
    lease_owner  CHAR(36)      CHARACTER SET ascii NULL,
    lease_until  DATETIME(3)   NULL,
    last_status  INT           NULL COMMENT 'HTTP status of the last try; NULL: no answer',
    last_error   VARCHAR(500)  NULL,
    created_at   DATETIME(3)   NOT NULL,
    delivered_at DATETIME(3)   NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_deliveries_event (event_id, callback_id),
    KEY ix_deliveries_due (status, next_at),
    KEY ix_deliveries_callback (callback_id, id),
    KEY ix_deliveries_lease (lease_owner),
    CONSTRAINT fk_deliveries_callback FOREIGN KEY (callback_id) REFERENCES callbacks (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- How far the outbox has been filled from callback_events: one row, advanced in the transaction that
-- writes the outbox rows, so every event is enqueued once. Events from before this migration have no
-- webhooks (none could be named).
CREATE TABLE webhook_cursor (
    id            TINYINT NOT NULL,
    last_event_id BIGINT  NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB;

INSERT INTO webhook_cursor (id, last_event_id) SELECT 1, COALESCE(MAX(id), 0) FROM callback_events;

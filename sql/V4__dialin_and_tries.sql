-- Issue 3: every try of a route the dialplan reports, and the callers allowed to use the dial-in hook.

-- One row per Dial() of one route: which trunk and dial string try N of a leg used and how it ended.
-- trunk_id and dial_string are null when the reporting instance no longer knew what it handed out.
CREATE TABLE route_tries (
    callback_id CHAR(26)     CHARACTER SET ascii NOT NULL,
    attempt     INT          NOT NULL,
    leg         CHAR(1)      CHARACTER SET ascii NOT NULL,
    `try`       INT          NOT NULL,
    trunk_id    VARCHAR(64)  NULL,
    dial_string VARCHAR(255) CHARACTER SET ascii NULL,
    dial_status VARCHAR(16)  CHARACTER SET ascii NOT NULL,
    cause       INT          NULL,
    at          DATETIME(3)  NOT NULL,
    PRIMARY KEY (callback_id, attempt, leg, `try`),
    CONSTRAINT fk_route_tries_callback FOREIGN KEY (callback_id) REFERENCES callbacks (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Callers who may ask for a callback by calling the access number. The PIN is stored only as a
-- salted PBKDF2 hash; destination is the number they are connected to when none is keyed in;
-- collect_now asks for the destination during the dial-in call instead of at callback time.
CREATE TABLE dialin_callers (
    number      VARCHAR(21)  CHARACTER SET ascii NOT NULL,
    pin_hash    VARCHAR(200) CHARACTER SET ascii NULL,
    destination VARCHAR(21)  CHARACTER SET ascii NULL,
    collect_now BOOLEAN      NOT NULL DEFAULT FALSE,
    enabled     BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at  DATETIME(3)  NOT NULL,
    PRIMARY KEY (number)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- A dial-in registers a callback only when none is pending for that number: found by this index.
CREATE INDEX ix_callbacks_number_state ON callbacks (number, state);

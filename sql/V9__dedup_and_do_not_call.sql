-- Issue 12, "whom never": one active callback per number and destination, and the do-not-call list.

-- Deduplication is enforced by MariaDB, so it holds for several instances inserting at once: while a
-- callback is queued or dialing (and was stored with dedup on), active_pair is its number|destination
-- and the unique index admits one such row; in every other state it is NULL, and a unique index admits
-- any number of NULLs. dedup is per row so that an instance with contacts.dedup off stores rows the
-- index ignores.
ALTER TABLE callbacks
    ADD COLUMN dedup BOOLEAN NOT NULL DEFAULT FALSE AFTER confirm;

-- Callbacks active before this version: the oldest of each pair takes part, so the index can be built
-- even where duplicates are queued already (the later ones run their course undeduplicated).
UPDATE callbacks c
    JOIN (SELECT MIN(id) AS id FROM callbacks WHERE state IN ('queued', 'dialing')
          GROUP BY number, destination) f ON c.id = f.id
    SET c.dedup = TRUE;

ALTER TABLE callbacks
    ADD COLUMN active_pair VARCHAR(43) CHARACTER SET ascii AS
        (IF(dedup AND state IN ('queued', 'dialing'), CONCAT(number, '|', IFNULL(destination, '')), NULL)) STORED,
    ADD UNIQUE KEY uq_callbacks_active_pair (active_pair);

-- Numbers never to be called: checked when a request arrives and again before every attempt.
CREATE TABLE do_not_call (
    number   VARCHAR(21)  CHARACTER SET ascii NOT NULL,
    reason   VARCHAR(255) NULL,
    added_at DATETIME(3)  NOT NULL,
    added_by VARCHAR(32)  NULL COMMENT 'id of the API key that added it (bootstrap: the config token)',
    PRIMARY KEY (number)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

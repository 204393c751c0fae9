-- Call flows (issue 3): who is called first, optional "press 1" confirmation of leg A, and callbacks
-- registered by dial-in whose destination the caller keys in once called back.
ALTER TABLE callbacks
    ADD COLUMN flow    VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'customer-first' AFTER updated_at,
    ADD COLUMN confirm BOOLEAN NOT NULL DEFAULT FALSE AFTER flow,
    MODIFY COLUMN destination VARCHAR(21) CHARACTER SET ascii NULL;

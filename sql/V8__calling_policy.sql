-- Issue 12, when and how often: each callback names its retry profile (calling.profiles; null: the
-- default profile), the last moment it may be dialed and the callee's time zone when the request named
-- one (else it comes from the number). A key may name the profile of the callbacks it submits.
ALTER TABLE callbacks
    ADD COLUMN profile   VARCHAR(64) CHARACTER SET ascii NULL COMMENT 'retry profile (calling.profiles)',
    ADD COLUMN not_after DATETIME(3) NULL COMMENT 'not dialed after this: ends expired',
    ADD COLUMN time_zone VARCHAR(64) CHARACTER SET ascii NULL COMMENT 'IANA id for quiet hours; null: from the number';

ALTER TABLE api_keys
    ADD COLUMN default_profile VARCHAR(64) CHARACTER SET ascii NULL COMMENT 'for callbacks submitted with this key that name none';

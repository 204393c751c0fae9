-- Routing (issue 3): trunks, route tables, rates, and the version every instance polls to know
-- when to reload them. Imports replace a whole table in one transaction and bump the version.
-- Trunk references are checked by the import (not by foreign keys), so each kind can be replaced
-- on its own in any order that stays consistent.

CREATE TABLE routing_trunks (
    id             VARCHAR(64)  CHARACTER SET ascii NOT NULL,
    dial_template  VARCHAR(200) CHARACTER SET ascii NOT NULL COMMENT 'TECH/resource with one {number}',
    max_concurrent INT          NOT NULL DEFAULT 0 COMMENT '0: no limit',
    max_cps        INT          NOT NULL DEFAULT 0 COMMENT 'calls per second; 0: no limit',
    enabled        BOOLEAN      NOT NULL DEFAULT TRUE,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Rows of a table keep their import order (seq): strategies that keep order rely on it.
CREATE TABLE routing_routes (
    seq         INT          NOT NULL,
    route_table VARCHAR(64)  CHARACTER SET ascii NOT NULL,
    leg         CHAR(1)      CHARACTER SET ascii NULL COMMENT 'a, b, or NULL for both',
    prefix      VARCHAR(20)  CHARACTER SET ascii NOT NULL DEFAULT '' COMMENT 'digits, no +',
    trunk_id    VARCHAR(64)  CHARACTER SET ascii NOT NULL,
    weight      INT          NOT NULL DEFAULT 1,
    tz          VARCHAR(64)  CHARACTER SET ascii NULL COMMENT 'NULL with days/start/end NULL: any time',
    days        VARCHAR(64)  CHARACTER SET ascii NULL COMMENT 'canonical, e.g. Mon-Fri',
    start_time  CHAR(5)      CHARACTER SET ascii NULL COMMENT 'HH:MM local',
    end_time    CHAR(5)      CHARACTER SET ascii NULL COMMENT 'HH:MM local, 24:00 for midnight',
    PRIMARY KEY (seq),
    KEY ix_routing_routes_trunk (trunk_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE routing_rates (
    trunk_id        VARCHAR(64)    CHARACTER SET ascii NOT NULL,
    prefix          VARCHAR(20)    CHARACTER SET ascii NOT NULL,
    cost_per_minute DECIMAL(12, 6) NOT NULL,
    PRIMARY KEY (trunk_id, prefix)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- A table without a row here uses the default chain time,prefix,cost.
CREATE TABLE routing_tables (
    name       VARCHAR(64)  CHARACTER SET ascii NOT NULL,
    strategies VARCHAR(200) CHARACTER SET ascii NOT NULL COMMENT 'e.g. prefix,time,cost',
    PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One row; every import adds 1 in its own transaction.
CREATE TABLE routing_version (
    id      TINYINT NOT NULL,
    version BIGINT  NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB;

INSERT INTO routing_version (id, version) VALUES (1, 0);

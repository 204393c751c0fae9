-- Issue 13, MariaDB that fails over: when the connection dies during COMMIT (the node Huibo writes to
-- stops), nobody can say whether the transaction happened. Every group-commit writer thread owns one
-- row here and moves its seq from the last value it saw committed to a new one, first thing in each of
-- its transactions. Its retry after a lost answer finds the row at the lost transaction's seq (it
-- committed: its results stand, nothing is written twice) or still at the old one (it did not: the
-- retry goes on). Two of them can never both commit: they change the same row (Galera certification,
-- or InnoDB's row lock on a single server, lets one through).
CREATE TABLE commit_marks (
    writer CHAR(36)    CHARACTER SET ascii NOT NULL COMMENT 'random id of one writer thread of one process',
    seq    BIGINT      NOT NULL,
    at     DATETIME(3) NOT NULL COMMENT 'last change: rows of processes gone for 30 days are deleted',
    PRIMARY KEY (writer),
    KEY ix_commit_marks_at (at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

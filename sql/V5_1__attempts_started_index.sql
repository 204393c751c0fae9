-- Issue 11: GET /v1/queue counts the attempts started in the last minute (the cluster's dial rate);
-- without this index that count would read every attempt ever made. Numbered 5.1 so that it sorts after
-- any V5 another change adds at the same time.
CREATE INDEX ix_attempts_started ON attempts (started_at);

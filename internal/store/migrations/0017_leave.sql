-- Leave without losing access: a person's recorded leaves. start_date is
-- the first day away and end_date the return date (B.C. dates,
-- YYYY-MM-DD). When pause_access is set the leave job suspends the access
-- on the first day (access_paused_at) and restores it on the return date
-- (access_resumed_at), each once.
CREATE TABLE leaves (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    pause_access BOOLEAN NOT NULL DEFAULT FALSE,
    access_paused_at BIGINT NOT NULL DEFAULT 0,
    access_resumed_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX leaves_account ON leaves (account_id, start_date);
CREATE INDEX leaves_end ON leaves (end_date);

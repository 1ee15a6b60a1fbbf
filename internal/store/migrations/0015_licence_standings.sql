-- What a college's licence registry last said of each person the portal
-- checked (the daily licence job, for everyone provisioned): one row per
-- person, replaced at every check. A lapsed or suspended licence suspends
-- approved access, and the team cannot reinstate it, or approve a new
-- request, while the row says so.
CREATE TABLE licence_standings (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
    college TEXT NOT NULL,
    number TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    checked_at BIGINT NOT NULL
);

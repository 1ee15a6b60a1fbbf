-- The CareConnect team's decisions on accounts whose profession is "Other":
-- placed under a listed profession (profession, and the user type it gives)
-- or declined with a reason. One row per decision; the newest stands.
CREATE TABLE profession_reviews (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    outcome TEXT NOT NULL,
    described TEXT NOT NULL DEFAULT '',
    profession TEXT NOT NULL DEFAULT '',
    user_type TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL
);
CREATE INDEX profession_reviews_account ON profession_reviews (account_id, id);

-- A membership a site administrator marked as a locum's: it ends on its
-- last day (end_date, through the scheduled decommission), and a reminder
-- goes to the locum and the site administrators a week before, once
-- (locum_notice_at records when).
ALTER TABLE worksite_members ADD COLUMN locum BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE worksite_members ADD COLUMN locum_notice_at BIGINT NOT NULL DEFAULT 0;

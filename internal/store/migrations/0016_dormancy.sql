-- Dormant accounts: when a person last signed in to the portal (the
-- dormancy clock also starts again at approval, at the team's
-- reinstatement and at each annual review confirmed), and, per access request, which dormancy reminders were sent
-- for which clock ("<clock start in ms>:30,7"), so that of several
-- instances running the dormancy job each reminder goes once.
ALTER TABLE accounts ADD COLUMN last_active_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE access_requests ADD COLUMN dormancy_notices TEXT NOT NULL DEFAULT '';
-- When the CareConnect team last reinstated the access: like the approval,
-- a fresh decision that starts the dormancy clock again.
ALTER TABLE access_requests ADD COLUMN reinstated_at BIGINT NOT NULL DEFAULT 0;

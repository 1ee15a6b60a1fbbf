-- A site administrator who leaves hands the worksite over to another
-- member, who accepts or declines. One handover waits per worksite at a
-- time: a second submission racing the first fails on the index.
CREATE TABLE worksite_handovers (
    id {{id}},
    worksite_id BIGINT NOT NULL REFERENCES worksites (id),
    from_account_id BIGINT NOT NULL REFERENCES accounts (id),
    to_account_id BIGINT NOT NULL REFERENCES accounts (id),
    status TEXT NOT NULL DEFAULT 'pending',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    decided_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX worksite_handovers_pending ON worksite_handovers (worksite_id) WHERE status = 'pending';
CREATE INDEX worksite_handovers_to ON worksite_handovers (to_account_id, status);

-- When a person last signed in to the portal, so the CareConnect team sees
-- worksites whose only administrator no longer does. Filled from the
-- audit trail's sign-ins.
ALTER TABLE accounts ADD COLUMN last_sign_in_at BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET last_sign_in_at = COALESCE((SELECT MAX(l.occurred_at) FROM audit_log l
    WHERE l.action = 'session.signed_in' AND l.actor_kind = 'account' AND l.actor_id = CAST(accounts.id AS TEXT)), 0);

-- The CareConnect team: enrolment officers, auditors, administrators.
CREATE TABLE staff (
    id {{id}},
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    oidc_issuer TEXT NOT NULL DEFAULT '',
    oidc_subject TEXT NOT NULL DEFAULT '',
    roles TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_sign_in_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX staff_email_key ON staff (email_key);

ALTER TABLE sessions ADD COLUMN staff_id BIGINT REFERENCES staff (id);

-- Downstream systems read changes to provisioned people from this feed.
CREATE TABLE provisioning_events (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    type TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX provisioning_events_account ON provisioning_events (account_id, id);

-- Bearer tokens for downstream clients, stored hashed.
CREATE TABLE api_tokens (
    id {{id}},
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE UNIQUE INDEX api_tokens_name ON api_tokens (name);

-- When a person was last changed as far as provisioning is concerned.
ALTER TABLE accounts ADD COLUMN provisioned_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN provisioning_changed_at BIGINT NOT NULL DEFAULT 0;

-- Site administrators confirm their worksite's members once a year.
ALTER TABLE worksites ADD COLUMN members_confirmed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE worksites ADD COLUMN members_review_reminded_at BIGINT NOT NULL DEFAULT 0;

-- Annual review of each approved request.
ALTER TABLE access_requests ADD COLUMN approved_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE access_requests ADD COLUMN last_confirmed_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX access_requests_account_status ON access_requests (account_id, status);

-- Accounts: one per person, keyed by the identity provider's subject.
CREATE TABLE accounts (
    id {{id}},
    oidc_issuer TEXT NOT NULL,
    oidc_subject TEXT NOT NULL,
    given_names TEXT NOT NULL,
    surname TEXT NOT NULL,
    birth_date TEXT NOT NULL DEFAULT '',
    preferred_first_name TEXT NOT NULL DEFAULT '',
    preferred_last_name TEXT NOT NULL DEFAULT '',
    profession TEXT NOT NULL,
    nurse_licence TEXT NOT NULL DEFAULT '',
    msp_billing_number TEXT NOT NULL DEFAULT '',
    cpsid TEXT NOT NULL DEFAULT '',
    is_resident BOOLEAN NOT NULL DEFAULT FALSE,
    college_id TEXT NOT NULL DEFAULT '',
    other_profession TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    phone TEXT NOT NULL,
    mobile TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_subject_key ON accounts (oidc_issuer, oidc_subject);
CREATE UNIQUE INDEX accounts_email_key ON accounts (email_key);
CREATE UNIQUE INDEX accounts_username_key ON accounts (username);

-- Earlier password hashes, so a password cannot be reused.
CREATE TABLE password_history (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX password_history_account ON password_history (account_id, id);

-- Server-side sessions; the cookie holds a random token whose SHA-256 is id_hash.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    account_id BIGINT REFERENCES accounts (id),
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_account ON sessions (account_id);

-- Append-only audit trail with a hash chain over the rows.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    worksite_id BIGINT,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    request_id TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_kind, subject_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id, seq);
CREATE INDEX audit_log_worksite ON audit_log (worksite_id, seq);
CREATE INDEX audit_log_time ON audit_log (occurred_at);

-- The chain's head: one row, locked by every writer of the trail.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- Transactional email outbox.
CREATE TABLE emails (
    id {{id}},
    message_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    account_id BIGINT,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    sent_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX emails_message_id ON emails (message_id);
CREATE INDEX emails_due ON emails (status, next_attempt_at);

-- Fixed-window counters for rate limits shared by every instance.
CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL
);

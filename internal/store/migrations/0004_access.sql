-- Prerequisites: the Privacy & Security training and the HPCAA, by version.
CREATE TABLE prerequisite_completions (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    completed_at BIGINT NOT NULL,
    score INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    recorded_by TEXT NOT NULL DEFAULT '',
    signed_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX prerequisite_completions_account ON prerequisite_completions (account_id, kind, completed_at);

-- An authorizer lets a person (an MOA, a resident) work on their behalf.
CREATE TABLE sponsorships (
    id {{id}},
    obo_account_id BIGINT NOT NULL REFERENCES accounts (id),
    authorizer_account_id BIGINT NOT NULL REFERENCES accounts (id),
    worksite_id BIGINT NOT NULL REFERENCES worksites (id),
    status TEXT NOT NULL,
    residency_start TEXT NOT NULL DEFAULT '',
    residency_end TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    decided_at BIGINT NOT NULL DEFAULT 0,
    ended_at BIGINT NOT NULL DEFAULT 0,
    pending_key TEXT
);
CREATE UNIQUE INDEX sponsorships_pending_key ON sponsorships (pending_key);
CREATE INDEX sponsorships_obo ON sponsorships (obo_account_id, status);
CREATE INDEX sponsorships_authorizer ON sponsorships (authorizer_account_id, status);
CREATE INDEX sponsorships_end ON sponsorships (status, residency_end);

-- The CareConnect access request (the CareConnect Enrolment Form).
CREATE TABLE access_requests (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    status TEXT NOT NULL,
    user_type TEXT NOT NULL,
    profession TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    job TEXT NOT NULL,
    college_id TEXT NOT NULL DEFAULT '',
    attest_correct BOOLEAN NOT NULL,
    attest_direct_care BOOLEAN NOT NULL,
    attest_annual_review BOOLEAN NOT NULL,
    reason_job_duties BOOLEAN NOT NULL,
    reason_patient_care BOOLEAN NOT NULL,
    allowed_scopes TEXT NOT NULL,
    granted_scopes TEXT NOT NULL DEFAULT '',
    claimed_by TEXT NOT NULL DEFAULT '',
    claimed_at BIGINT NOT NULL DEFAULT 0,
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at BIGINT NOT NULL DEFAULT 0,
    decision_code TEXT NOT NULL DEFAULT '',
    decision_text TEXT NOT NULL DEFAULT '',
    info_question TEXT NOT NULL DEFAULT '',
    info_answer TEXT NOT NULL DEFAULT '',
    review_due_at BIGINT NOT NULL DEFAULT 0,
    reminders_sent TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    open_key TEXT
);
-- At most one open (not finally decided) request per person.
CREATE UNIQUE INDEX access_requests_open_key ON access_requests (open_key);
CREATE INDEX access_requests_account ON access_requests (account_id, created_at);
CREATE INDEX access_requests_status ON access_requests (status, created_at);
CREATE INDEX access_requests_review ON access_requests (status, review_due_at);

CREATE TABLE access_request_worksites (
    request_id BIGINT NOT NULL REFERENCES access_requests (id),
    worksite_id BIGINT NOT NULL REFERENCES worksites (id),
    PRIMARY KEY (request_id, worksite_id)
);

CREATE TABLE access_request_sponsors (
    request_id BIGINT NOT NULL REFERENCES access_requests (id),
    sponsorship_id BIGINT NOT NULL REFERENCES sponsorships (id),
    PRIMARY KEY (request_id, sponsorship_id)
);

-- Each step of a request's life, with its reason.
CREATE TABLE access_request_events (
    id {{id}},
    request_id BIGINT NOT NULL REFERENCES access_requests (id),
    occurred_at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_request_events_request ON access_request_events (request_id, id);

-- Remote (home office) access, for physicians and nurse practitioners.
CREATE TABLE remote_access_requests (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    street TEXT NOT NULL,
    city TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at BIGINT NOT NULL DEFAULT 0,
    decision_text TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    open_key TEXT
);
CREATE UNIQUE INDEX remote_access_requests_open_key ON remote_access_requests (open_key);
CREATE INDEX remote_access_requests_account ON remote_access_requests (account_id, created_at);

-- Residents choose a route: independent, or sponsored by an authorizer.
ALTER TABLE accounts ADD COLUMN resident_route TEXT NOT NULL DEFAULT '';

-- Organisations with several worksites.
CREATE TABLE worksite_groups (
    id {{id}},
    name TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE group_admins (
    group_id BIGINT NOT NULL REFERENCES worksite_groups (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, account_id)
);

CREATE TABLE worksites (
    id {{id}},
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    phone TEXT NOT NULL,
    address_id BIGINT,
    address_key TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    civic_number TEXT NOT NULL,
    street_name TEXT NOT NULL,
    street_type TEXT NOT NULL DEFAULT '',
    direction TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL,
    province TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    address_verified BOOLEAN NOT NULL,
    health_authority TEXT NOT NULL DEFAULT '',
    group_id BIGINT REFERENCES worksite_groups (id),
    status TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signer_email TEXT NOT NULL,
    signer_token_hash TEXT NOT NULL DEFAULT '',
    signer_account_id BIGINT REFERENCES accounts (id),
    declaration_version TEXT NOT NULL DEFAULT '',
    declaration_signed_at BIGINT NOT NULL DEFAULT 0,
    declined_reason TEXT NOT NULL DEFAULT '',
    registered_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    approved_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX worksites_code_key ON worksites (code);
CREATE UNIQUE INDEX worksites_address_key ON worksites (address_key);
CREATE INDEX worksites_status ON worksites (status, created_at);
CREATE INDEX worksites_group ON worksites (group_id);

CREATE TABLE worksite_members (
    worksite_id BIGINT NOT NULL REFERENCES worksites (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    joined_at BIGINT NOT NULL,
    end_date TEXT NOT NULL DEFAULT '',
    decommissioned_at BIGINT NOT NULL DEFAULT 0,
    decommissioned_by BIGINT,
    PRIMARY KEY (worksite_id, account_id)
);
CREATE INDEX worksite_members_account ON worksite_members (account_id);
CREATE INDEX worksite_members_end ON worksite_members (status, end_date);

CREATE TABLE join_requests (
    id {{id}},
    worksite_id BIGINT NOT NULL REFERENCES worksites (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    via TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    decided_by BIGINT REFERENCES accounts (id),
    decided_at BIGINT NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    pending_key TEXT
);
-- At most one pending request per person and worksite (NULL once decided).
CREATE UNIQUE INDEX join_requests_pending_key ON join_requests (pending_key);
CREATE INDEX join_requests_worksite ON join_requests (worksite_id, status, created_at);
CREATE INDEX join_requests_account ON join_requests (account_id, created_at);

CREATE TABLE invitations (
    id {{id}},
    worksite_id BIGINT NOT NULL REFERENCES worksites (id),
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    invited_by BIGINT NOT NULL REFERENCES accounts (id),
    status TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    sent_count INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    decided_at BIGINT NOT NULL DEFAULT 0,
    decided_by BIGINT REFERENCES accounts (id)
);
CREATE UNIQUE INDEX invitations_token ON invitations (token_hash);
CREATE INDEX invitations_email ON invitations (email_key, status);
CREATE INDEX invitations_worksite ON invitations (worksite_id, status);

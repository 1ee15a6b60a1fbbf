-- An email address proves nothing until its owner has shown they read it.
-- Accounts from before this migration start unconfirmed.
ALTER TABLE accounts ADD COLUMN email_verified_at BIGINT NOT NULL DEFAULT 0;

-- Confirmations sent to an account's address: a single-use link and a short
-- code, both stored hashed. A new one replaces the account's earlier ones.
CREATE TABLE email_confirmations (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX email_confirmations_token ON email_confirmations (token_hash);
CREATE INDEX email_confirmations_account ON email_confirmations (account_id, id);

-- External training completions recorded for an address that its account
-- has not confirmed yet: credited when the owner of the address confirms it.
CREATE TABLE pending_training_credits (
    id {{id}},
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    version TEXT NOT NULL,
    completed_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    credited_account_id BIGINT REFERENCES accounts (id),
    credited_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX pending_training_credits_email ON pending_training_credits (email_key, credited_at);

-- An email carrying a link's token or a code keeps a copy of its bodies
-- without them; the copy replaces the bodies once the email is sent.
ALTER TABLE emails ADD COLUMN redacted_text_body TEXT NOT NULL DEFAULT '';
ALTER TABLE emails ADD COLUMN redacted_html_body TEXT NOT NULL DEFAULT '';

-- Invitation and declaration tokens were always stored as SHA-256 hashes,
-- but the emails already sent still hold them in clear: remove them.
UPDATE emails SET text_body = replace(text_body, substr(text_body, instr(text_body, '/invitations/') + 13, 64), '[removed after sending]')
    WHERE kind = 'worksite_invitation' AND status <> 'pending' AND instr(text_body, '/invitations/') > 0;
UPDATE emails SET html_body = replace(html_body, substr(html_body, instr(html_body, '/invitations/') + 13, 64), '[removed after sending]')
    WHERE kind = 'worksite_invitation' AND status <> 'pending' AND instr(html_body, '/invitations/') > 0;
UPDATE emails SET text_body = replace(text_body, substr(text_body, instr(text_body, '/declarations/') + 14, 64), '[removed after sending]')
    WHERE kind = 'declaration_requested' AND status <> 'pending' AND instr(text_body, '/declarations/') > 0;
UPDATE emails SET html_body = replace(html_body, substr(html_body, instr(html_body, '/declarations/') + 14, 64), '[removed after sending]')
    WHERE kind = 'declaration_requested' AND status <> 'pending' AND instr(html_body, '/declarations/') > 0;

-- A keyed audit trail: each row written while an audit key is configured
-- names the key and carries an HMAC of the row's hash; the head carries one
-- of itself, so it cannot be moved back over deleted rows without the key.
-- The key itself is never stored in the database.
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN mac TEXT NOT NULL DEFAULT '';

-- How each thing granted on the strength of an email address was granted,
-- for the grants-to-confirmed-addresses invariant: 'link' (through the
-- emailed link itself) or 'confirmed_address' (to a person whose own,
-- confirmed address it was). An invitation records it when accepted, a
-- worksite when its declaration is signed, an external training completion
-- when it is credited. Empty means recorded as neither: the invariant
-- reports it.
ALTER TABLE invitations ADD COLUMN accepted_via TEXT NOT NULL DEFAULT '';
ALTER TABLE worksites ADD COLUMN signed_via TEXT NOT NULL DEFAULT '';
ALTER TABLE prerequisite_completions ADD COLUMN credited_via TEXT NOT NULL DEFAULT '';

-- Grants made before this migration were not recorded, and the addresses
-- confirmed then are unknown (every account started unconfirmed with the
-- email confirmation migration): they are marked 'unrecorded', which the
-- invariant skips rather than guess.
UPDATE invitations SET accepted_via = 'unrecorded' WHERE status = 'approved';
UPDATE worksites SET signed_via = 'unrecorded' WHERE declaration_signed_at > 0;
UPDATE prerequisite_completions SET credited_via = 'unrecorded' WHERE source = 'external';

-- The reference number a person quotes about their access request
-- (CC-2026-000123): the year it was submitted in British Columbia and the
-- request's number. Set when the request is submitted; requests from before
-- this migration get theirs from when they were made (standard time).
ALTER TABLE access_requests ADD COLUMN reference TEXT NOT NULL DEFAULT '';
UPDATE access_requests SET reference = 'CC-' || strftime('%Y', created_at / 1000 - 8 * 3600, 'unixepoch') || '-' || printf('%06d', id);
CREATE UNIQUE INDEX access_requests_reference ON access_requests (reference) WHERE reference <> '';

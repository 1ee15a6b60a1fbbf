-- The reference number a person quotes about their access request
-- (CC-2026-000123): the year it was submitted in British Columbia and the
-- request's number. Set when the request is submitted; requests from before
-- this migration get theirs from when they were made (standard time).
ALTER TABLE access_requests ADD COLUMN reference TEXT NOT NULL DEFAULT '';
UPDATE access_requests SET reference = 'CC-' || to_char(to_timestamp(created_at / 1000 - 8 * 3600) AT TIME ZONE 'UTC', 'YYYY') || '-' || lpad(id::text, 6, '0');
CREATE UNIQUE INDEX access_requests_reference ON access_requests (reference) WHERE reference <> '';

-- A leave can end before its planned return date (or be cancelled before
-- it begins): planned_end_date keeps the return date first recorded, and
-- review_due_after the annual review's due date as the leave moved it, so
-- that ending early moves it back only when nothing has moved it since.
ALTER TABLE leaves ADD COLUMN planned_end_date TEXT NOT NULL DEFAULT '';
ALTER TABLE leaves ADD COLUMN review_due_after BIGINT NOT NULL DEFAULT 0;
UPDATE leaves SET planned_end_date = end_date;

-- Placeholder so this branch migrates alone: number 6 belongs to another branch.
-- Delete this file when that branch's migration 0006 is merged.
SELECT 1;

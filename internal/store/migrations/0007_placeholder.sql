-- Placeholder so this branch migrates alone: number 7 belongs to another branch.
-- Delete this file when that branch's migration 0007 is merged.
SELECT 1;

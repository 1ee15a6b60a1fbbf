-- Placeholder so this branch migrates alone: number 8 belongs to another branch.
-- Delete this file when that branch's migration 0008 is merged.
SELECT 1;

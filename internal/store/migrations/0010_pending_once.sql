-- One pending invitation per worksite and address. Join requests,
-- sponsorships and access requests already say "one" through their
-- pending_key and open_key columns; invitations said it only in the use
-- case, so two submissions at once made two invitations and two emails.
--
-- Invitations past their expiry kept the status pending, and a new
-- invitation to the same address could be sent beside them: of the pending
-- invitations to one address at one worksite, all but the newest are
-- recorded as expired, at the latest when the next one was sent (the
-- newest is the one a Send again renews).
UPDATE invitations SET status = 'expired', expires_at = (
    SELECT CASE WHEN MIN(n.created_at) < invitations.expires_at THEN MIN(n.created_at) ELSE invitations.expires_at END
    FROM invitations n
    WHERE n.worksite_id = invitations.worksite_id AND n.email_key = invitations.email_key
      AND n.status = 'pending' AND n.id > invitations.id)
WHERE status = 'pending' AND EXISTS (
    SELECT 1 FROM invitations n
    WHERE n.worksite_id = invitations.worksite_id AND n.email_key = invitations.email_key
      AND n.status = 'pending' AND n.id > invitations.id);

CREATE UNIQUE INDEX invitations_pending ON invitations (worksite_id, email_key) WHERE status = 'pending';

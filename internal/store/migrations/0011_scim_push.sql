-- Push mode: each downstream SCIM service the portal provisions into reads
-- the change feed like any consumer, from its own cursor, and the portal
-- pushes what changed. The feed is the durable queue: nothing is lost while
-- a downstream is down, and the cursor only moves past an event once the
-- person it names matches downstream. One instance at a time works for a
-- downstream, under a lease.
CREATE TABLE scim_downstreams (
    name TEXT PRIMARY KEY,
    cursor BIGINT NOT NULL DEFAULT 0,          -- the last change-feed event pushed
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,       -- consecutive failed attempts
    next_attempt_at BIGINT NOT NULL DEFAULT 0, -- after a failure, the backoff
    last_error TEXT NOT NULL DEFAULT '',
    last_error_at BIGINT NOT NULL DEFAULT 0,
    last_success_at BIGINT NOT NULL DEFAULT 0,
    pushed_total BIGINT NOT NULL DEFAULT 0,    -- users created, changed or removed downstream
    resend_requested_at BIGINT NOT NULL DEFAULT 0,
    resend_requested_by TEXT NOT NULL DEFAULT '',
    resent_at BIGINT NOT NULL DEFAULT 0,
    resend_summary TEXT NOT NULL DEFAULT ''
);

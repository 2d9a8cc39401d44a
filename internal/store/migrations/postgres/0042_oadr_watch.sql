-- What the OpenADR VTN's watch has notified (PostgreSQL dialect): per event
-- and aspect ('status': the event status last told; 'fleet': its battery
-- dispatch events, 'announced' or 'withdrawn'), and one row with
-- event_id 0 and aspect 'start' once the first look over this database
-- has recorded what was there. Each change is claimed here by one
-- process (insert if absent, or compare-and-set) before it is notified,
-- so several server processes notify it once, and a restart notifies
-- only what changed meanwhile.
CREATE TABLE oadr_watch (
    event_id BIGINT NOT NULL,
    aspect TEXT NOT NULL CHECK (aspect IN ('start', 'status', 'fleet')),
    state TEXT NOT NULL,
    changed_unix BIGINT NOT NULL,
    PRIMARY KEY (event_id, aspect)
);

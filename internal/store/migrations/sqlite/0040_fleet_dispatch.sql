-- Battery fleet dispatch (SQLite dialect): one plan per storage event
-- (the target, what the fleet gives, the state of charge assumed) and
-- each battery's share. VEN reports on a battery's dispatch event
-- ("dispatch-<event>-<device>") are found by event id.
CREATE TABLE dr_fleet_dispatches (
    event_id INTEGER PRIMARY KEY REFERENCES dr_events (id),
    target_w INTEGER NOT NULL CHECK (target_w > 0),
    fleet_w INTEGER NOT NULL CHECK (fleet_w >= 0),
    soc_pct INTEGER NOT NULL CHECK (soc_pct BETWEEN 0 AND 100),
    actor TEXT NOT NULL,
    created_unix INTEGER NOT NULL
) STRICT;
CREATE TABLE dr_dispatches (
    event_id INTEGER NOT NULL REFERENCES dr_fleet_dispatches (event_id),
    device_id INTEGER NOT NULL REFERENCES dr_devices (id),
    w INTEGER NOT NULL CHECK (w >= 0),
    wh INTEGER NOT NULL CHECK (wh >= 0),
    limit_reason TEXT NOT NULL,
    PRIMARY KEY (event_id, device_id)
) STRICT;
CREATE INDEX oadr_objects_event ON oadr_objects (kind, event_id);

-- The OpenADR 3.1 VTN: OAuth2 client-credentials clients and their
-- tokens, and the VTN's own objects (VENs, resources, subscriptions,
-- reports, programs created by business logic) as JSON documents
-- (PostgreSQL dialect). Events and gridbook's programs are read from dr_events
-- and internal/dr/programs.json.
CREATE TABLE oadr_clients (
    client_id TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('bl', 'ven')),
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_unix BIGINT NOT NULL
);

CREATE TABLE oadr_tokens (
    token_sha256 TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oadr_clients (client_id),
    expires_unix BIGINT NOT NULL
);

-- oadr_objects: kind is VEN, RESOURCE, SUBSCRIPTION, REPORT or PROGRAM;
-- client_id is the client that owns the object (VEN-scoped reads);
-- name is the venName of a VEN, unique per kind.
CREATE TABLE oadr_objects (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    client_id TEXT NOT NULL,
    ven_id TEXT NOT NULL DEFAULT '',
    program_id TEXT NOT NULL DEFAULT '',
    event_id TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    created_unix BIGINT NOT NULL,
    modified_unix BIGINT NOT NULL
);
CREATE INDEX oadr_objects_kind ON oadr_objects (kind, created_unix);
CREATE UNIQUE INDEX oadr_objects_ven_name ON oadr_objects (kind, name) WHERE kind = 'VEN';

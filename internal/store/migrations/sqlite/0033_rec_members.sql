-- Organization-scoped registry access (SQLite dialect; issue 7). A
-- registry participant — a generator or another retail seller holding
-- certificate accounts here — signs in with users.role 'participant', or
-- calls the API with a client linked to its organization, and reaches only
-- that organization's accounts. SQLite cannot alter a CHECK constraint, so
-- users is rebuilt (as 0006 did); foreign keys are deferred to the commit
-- so that sessions, user_accounts and installer members find their users
-- again.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE users_copy AS SELECT id, email, name, role, password_hash, disabled, created_unix FROM users;
DROP TABLE users;
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'program_manager', 'analyst', 'customer', 'installer', 'participant')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_unix INTEGER NOT NULL
) STRICT;
INSERT INTO users (id, email, name, role, password_hash, disabled, created_unix)
    SELECT id, email, name, role, password_hash, disabled, created_unix FROM users_copy;
DROP TABLE users_copy;

-- Which organization (rec_accounts.org) a participant user or an API
-- client acts for: exactly one of user_id and client_id. Users and clients
-- without a row act for the operating retail seller and see every account.
CREATE TABLE rec_members (
    id INTEGER PRIMARY KEY,
    org TEXT NOT NULL CHECK (org <> ''),
    user_id INTEGER UNIQUE REFERENCES users (id),
    client_id INTEGER UNIQUE REFERENCES api_clients (id),
    created_unix INTEGER NOT NULL,
    CHECK ((user_id IS NULL) <> (client_id IS NULL))
) STRICT;
CREATE INDEX rec_accounts_org ON rec_accounts (org, kind);

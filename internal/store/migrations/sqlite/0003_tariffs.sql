-- Tariff versions and NBT export-price tables (SQLite dialect). Each row
-- holds its record as a JSON document (the native tariff format), keyed
-- for lookup and made idempotent by the SHA-256 of the document.
CREATE TABLE tariff_versions (
    id INTEGER PRIMARY KEY,
    utility TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    source TEXT NOT NULL,
    content_sha256 TEXT NOT NULL UNIQUE,
    document TEXT NOT NULL,
    imported_unix INTEGER NOT NULL,
    UNIQUE (utility, code, effective_from)
) STRICT;
CREATE INDEX tariff_versions_code ON tariff_versions (code, effective_from);

CREATE TABLE export_price_tables (
    id INTEGER PRIMARY KEY,
    utility TEXT NOT NULL,
    vintage INTEGER NOT NULL,
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL,
    source TEXT NOT NULL,
    content_sha256 TEXT NOT NULL UNIQUE,
    document TEXT NOT NULL,
    imported_unix INTEGER NOT NULL,
    UNIQUE (utility, vintage)
) STRICT;

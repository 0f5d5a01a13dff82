-- The embedded store's schema (SQLite). One row per natural key; an entry is kept whole as a
-- JSON snapshot, and the columns and side tables beside it exist to filter, count and walk.

CREATE TABLE IF NOT EXISTS regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    parent_code TEXT
);

CREATE TABLE IF NOT EXISTS catalogs (
    id          TEXT PRIMARY KEY,
    region_code TEXT NOT NULL,
    zone        TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent_id   TEXT
);
CREATE INDEX IF NOT EXISTS catalogs_parent ON catalogs (parent_id);

CREATE TABLE IF NOT EXISTS departments (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL,
    leads       TEXT NOT NULL DEFAULT '[]'   -- JSON array of base libraries / themes
);

CREATE TABLE IF NOT EXISTS categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- 政务信息资源: `catalog_id` is the entry's origin (LISTED_IN), `catalog_region` and `level`
-- are that catalog's, kept here so region and level filters need no join.
CREATE TABLE IF NOT EXISTS resources (
    code           TEXT PRIMARY KEY,
    version        INTEGER NOT NULL,
    name           TEXT NOT NULL,
    provider_code  TEXT NOT NULL,
    kind           TEXT NOT NULL,
    share_type     TEXT NOT NULL,
    update_cycle   TEXT NOT NULL,
    open_to_public INTEGER NOT NULL,
    state          TEXT NOT NULL,
    catalog_id     TEXT NOT NULL,
    catalog_region TEXT NOT NULL,
    level          TEXT NOT NULL,
    snapshot       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resources_provider ON resources (provider_code);
CREATE INDEX IF NOT EXISTS resources_catalog ON resources (catalog_id, state);
CREATE INDEX IF NOT EXISTS resources_region ON resources (catalog_region);
-- Counts and pages of the common filter (published, a share type, a region and below) from the
-- index alone: `code` orders a page without reading every selected entry's row. It replaces the
-- same index without `code` (schema version 3).
CREATE INDEX IF NOT EXISTS resources_state_share_region_code
    ON resources (state, share_type, catalog_region, code);
DROP INDEX IF EXISTS resources_state_share_region;

-- The names of the data items of the entries written here: what the store's searcher learns
-- when it opens (graph.embedded.search.catalog_words). An entry's items themselves are in its
-- snapshot; a name stays when the last entry naming it goes, as the searcher's learned words
-- of a running instance do. Until schema version 13 each item was a row of `items`: its
-- names are kept, its rows go.
CREATE TABLE IF NOT EXISTS item_names (
    name TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS items (resource_code TEXT, name TEXT);
INSERT INTO item_names (name) SELECT name FROM items WHERE true ON CONFLICT (name) DO NOTHING;
DROP TABLE items;

CREATE TABLE IF NOT EXISTS resource_themes (
    resource_code TEXT NOT NULL REFERENCES resources (code) ON DELETE CASCADE,
    theme         TEXT NOT NULL,
    PRIMARY KEY (resource_code, theme)
);
CREATE INDEX IF NOT EXISTS resource_themes_theme ON resource_themes (theme);

CREATE TABLE IF NOT EXISTS resource_share_modes (
    resource_code TEXT NOT NULL REFERENCES resources (code) ON DELETE CASCADE,
    share_mode    TEXT NOT NULL,
    PRIMARY KEY (resource_code, share_mode)
);

-- DERIVED_FROM: kept whether or not the source entry is held here (it may be another level's).
CREATE TABLE IF NOT EXISTS lineage (
    derived_code TEXT NOT NULL REFERENCES resources (code) ON DELETE CASCADE,
    source_code  TEXT NOT NULL,
    PRIMARY KEY (derived_code, source_code)
);
CREATE INDEX IF NOT EXISTS lineage_source ON lineage (source_code, derived_code);

CREATE TABLE IF NOT EXISTS related (
    resource_code TEXT NOT NULL REFERENCES resources (code) ON DELETE CASCADE,
    related_code  TEXT NOT NULL,
    PRIMARY KEY (resource_code, related_code)
);
-- Who names an entry: the referrers a change of its clearance re-sends (graph.versions).
CREATE INDEX IF NOT EXISTS related_target ON related (related_code, resource_code);

-- What `redact` removed, so that an older snapshot delivered later does not bring it back.
CREATE TABLE IF NOT EXISTS tombstones (
    code    TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);

-- The search index (graph.search.text.IndexText): rowid = resources.rowid; each column holds
-- the entry's tokens written as hex (graph.embedded.search), so that FTS5 matches exactly
-- those tokens and no others; `words` only ranks. `search_index` names the
-- graph.search.text.INDEX_VERSION the rows were made with: another one reindexes at open.
CREATE VIRTUAL TABLE IF NOT EXISTS resource_search USING fts5 (
    name,
    body,
    pinyin,
    initials,
    words UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0',
    detail = 'full'
);
CREATE TABLE IF NOT EXISTS search_index (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL
);

-- The transactional outbox (graph.outbox): written in the transaction of the entry it follows.
-- AUTOINCREMENT: a position is never used twice, even after the oldest records are pruned.
CREATE TABLE IF NOT EXISTS outbox (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    key      TEXT NOT NULL,
    payload  BLOB NOT NULL
);

-- The urgent lane: positions of the records a relay sends ahead of its backlog (graph.outbox).
CREATE TABLE IF NOT EXISTS outbox_urgent (
    position INTEGER PRIMARY KEY
);

-- Each relay's position in the outbox, and the keys it marked (what it may have sent).
CREATE TABLE IF NOT EXISTS outbox_consumers (
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox_marks (
    consumer TEXT NOT NULL,
    key      TEXT NOT NULL,
    PRIMARY KEY (consumer, key)
) WITHOUT ROWID;
-- Where each relay's seed stands: the last code it sent of the store's current state (a link
-- added after the outbox was pruned sends that first: sync.relay).
CREATE TABLE IF NOT EXISTS outbox_seeds (
    name   TEXT PRIMARY KEY,
    cursor TEXT NOT NULL
);

-- The last code each 前段码 allocated here (graph.codes: the instance numbers new entries), so
-- that a code allocated but never saved is not handed out twice.
CREATE TABLE IF NOT EXISTS code_sequences (
    category TEXT PRIMARY KEY,
    last     TEXT NOT NULL
);

-- The audit log (graph.audit): one hash chain, a record per row, written in the transaction of
-- what it records. `at` is ISO 8601 UTC with microseconds (graph.audit.chain.instant), so it
-- sorts as the instants do; `detail` is JSON.
CREATE TABLE IF NOT EXISTS audit_records (
    seq            INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    subject        TEXT,
    version_before INTEGER,
    version_after  INTEGER,
    detail         TEXT NOT NULL,
    at             TEXT NOT NULL,
    previous_hash  TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_records_at ON audit_records (at);
CREATE INDEX IF NOT EXISTS audit_records_actor ON audit_records (actor, seq);
CREATE INDEX IF NOT EXISTS audit_records_subject ON audit_records (subject, seq);
-- The sharing events' reader asks for two kinds after its position, on every commit.
CREATE INDEX IF NOT EXISTS audit_records_kind ON audit_records (kind, seq);

-- Where the chain stands: its last record, the anchor (the last record pruned) and the seq
-- of the last checkpoint. One row.
CREATE TABLE IF NOT EXISTS audit_head (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    seq            INTEGER NOT NULL,
    hash           TEXT NOT NULL,
    anchor_seq     INTEGER NOT NULL,
    anchor_hash    TEXT NOT NULL,
    checkpoint_seq INTEGER NOT NULL
);

-- Append-only: no record is changed, and only records up to the anchor (pruned) are deleted.
CREATE TRIGGER IF NOT EXISTS audit_records_append_only BEFORE UPDATE ON audit_records
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_records_pruned_only BEFORE DELETE ON audit_records
WHEN old.seq > (SELECT coalesce(max(anchor_seq), 0) FROM audit_head)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: only records up to the anchor go');
END;

-- Role grants (graph.grants): the role each subject holds, and every role it ever held
-- (GB/T 39477 keeps administrator and auditor apart even after a revoke).
CREATE TABLE IF NOT EXISTS role_grants (
    subject TEXT PRIMARY KEY,
    role    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS roles_held (
    subject TEXT NOT NULL,
    role    TEXT NOT NULL,
    PRIMARY KEY (subject, role)
) WITHOUT ROWID;

-- Share requests and objections (graph.sharing), the same columns (graph.sharing.snapshots):
-- `party` is the requester or the reporter; `received_at` ISO 8601 UTC with microseconds, so
-- it sorts as the instants do; `due_on` the ISO date the running clock is due (NULL: none
-- runs), `due_provisional` 1 when that date is provisional. The whole value is `snapshot`.
CREATE TABLE IF NOT EXISTS share_requests (
    id              TEXT PRIMARY KEY,
    resource_code   TEXT NOT NULL,
    party           TEXT NOT NULL,
    provider_code   TEXT NOT NULL,
    state           TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    due_on          TEXT,
    due_provisional INTEGER,
    version         INTEGER NOT NULL,
    snapshot        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS share_requests_received ON share_requests (received_at, id);
CREATE INDEX IF NOT EXISTS share_requests_resource
    ON share_requests (resource_code, received_at, id);
CREATE INDEX IF NOT EXISTS share_requests_party ON share_requests (party, received_at, id);
CREATE INDEX IF NOT EXISTS share_requests_provider
    ON share_requests (provider_code, received_at, id);
CREATE INDEX IF NOT EXISTS share_requests_due ON share_requests (due_on) WHERE due_on IS NOT NULL;

CREATE TABLE IF NOT EXISTS objections (
    id              TEXT PRIMARY KEY,
    resource_code   TEXT NOT NULL,
    party           TEXT NOT NULL,
    provider_code   TEXT NOT NULL,
    state           TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    due_on          TEXT,
    due_provisional INTEGER,
    version         INTEGER NOT NULL,
    snapshot        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objections_received ON objections (received_at, id);
CREATE INDEX IF NOT EXISTS objections_resource ON objections (resource_code, received_at, id);
CREATE INDEX IF NOT EXISTS objections_party ON objections (party, received_at, id);
CREATE INDEX IF NOT EXISTS objections_provider ON objections (provider_code, received_at, id);
CREATE INDEX IF NOT EXISTS objections_due ON objections (due_on) WHERE due_on IS NOT NULL;

-- Access details (数据挂接, graph.sharing.access): one row per entry, apart from `resources`,
-- so they are in no snapshot a link carries.
CREATE TABLE IF NOT EXISTS access_details (
    resource_code TEXT PRIMARY KEY,
    version       INTEGER NOT NULL,
    snapshot      TEXT NOT NULL
);

-- Data updates (graph.sharing.data_updates): one row per entry and day the provider says its
-- data was brought up to date, apart from `resources` (in no snapshot a link carries).
CREATE TABLE IF NOT EXISTS data_updates (
    resource_code   TEXT NOT NULL,
    updated_on      TEXT NOT NULL,
    department_code TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    note            TEXT,
    PRIMARY KEY (resource_code, updated_on)
);

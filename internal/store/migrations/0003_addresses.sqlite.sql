-- The index of validated B.C. addresses that worksites are found by. The
-- *_key columns are the canonical search forms (lower case, accents and
-- punctuation removed, street types and directions abbreviated), computed
-- by the store on insert:
--   building_key  "370 broadway e vancouver bc v5t 4g5": type-ahead by
--                 civic number first, and the unique key with unit_key
--   street_key    "broadway e vancouver": type-ahead by street, then civic
--                 number
--   unit_key      the unit in natural order ("", "00000101", "00000101a")
--   civic_sort    the civic number in natural order (370*32, 370A: 370*32+1)
--   search_text   every word once, for full-text search in any order
CREATE TABLE addresses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit TEXT NOT NULL DEFAULT '',
    civic_number TEXT NOT NULL,
    street_name TEXT NOT NULL,
    street_type TEXT NOT NULL DEFAULT '',
    direction TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL,
    province TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    building_key TEXT NOT NULL,
    street_key TEXT NOT NULL,
    unit_key TEXT NOT NULL,
    civic_sort BIGINT NOT NULL,
    search_text TEXT NOT NULL
);
CREATE UNIQUE INDEX addresses_key ON addresses (building_key, unit_key);
CREATE INDEX addresses_street ON addresses (street_key, civic_sort, unit_key);
CREATE INDEX addresses_unit ON addresses (unit_key, building_key) WHERE unit_key <> '';

-- Every word of search_text, so that a partly typed last word can be
-- expanded to the whole words it may be ("vanc" -> "vancouver") and
-- searched as exact terms, which the full-text index answers much faster
-- than a long prefix of a frequent word; and how many addresses hold it
-- (the empty word: how many addresses there are), so that a search can
-- tell common words from rare ones. The counts are kept by the import.
CREATE TABLE address_words (
    word TEXT PRIMARY KEY,
    addresses BIGINT NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Full-text index over search_text, kept in step by triggers. Only row ids
-- are indexed (detail=none); prefix indexes make short prefixes cheap.
CREATE VIRTUAL TABLE addresses_fts USING fts5(
    search_text,
    content = 'addresses', content_rowid = 'id',
    detail = 'none', columnsize = 0, prefix = '1 2 3',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER addresses_fts_insert AFTER INSERT ON addresses BEGIN
    INSERT INTO addresses_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER addresses_fts_delete AFTER DELETE ON addresses BEGIN
    INSERT INTO addresses_fts (addresses_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER addresses_fts_update AFTER UPDATE OF search_text ON addresses BEGIN
    INSERT INTO addresses_fts (addresses_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO addresses_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

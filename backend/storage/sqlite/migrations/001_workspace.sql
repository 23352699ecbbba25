-- The workspace: the helpdesk dataset, its attribute schema, and the
-- draft and live portal settings. Ids are the helpdesk's own (Intercom's
-- "id"), so a record may name another that arrives in a later import.
-- Every string attribute a rule can read has a folded copy (<field>_fold,
-- made by portal.Fold) so comparisons need no function of the column.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE settings (
	name       TEXT PRIMARY KEY CHECK (name IN ('draft', 'live')),
	version    INTEGER NOT NULL,
	doc        TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE attributes (
	scope TEXT NOT NULL CHECK (scope IN ('user', 'company')),
	key   TEXT NOT NULL,
	kind  TEXT NOT NULL CHECK (kind IN ('string', 'number', 'boolean', 'date')),
	PRIMARY KEY (scope, key)
);

-- seq is the user's number in this workspace: audiences are computed as
-- sets of seqs. It never changes for a user (upserts keep it).
CREATE TABLE users (
	seq              INTEGER PRIMARY KEY,
	id               TEXT NOT NULL UNIQUE,
	id_fold          TEXT NOT NULL,
	external_id      TEXT UNIQUE,
	external_id_fold TEXT,
	email            TEXT,
	email_fold       TEXT,
	name             TEXT,
	name_fold        TEXT,
	role             TEXT,
	role_fold        TEXT,
	created_at       INTEGER,
	signed_up_at     INTEGER,
	last_seen_at     INTEGER,
	custom           TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX users_email_fold ON users (email_fold);
CREATE INDEX users_created_at ON users (created_at);
CREATE INDEX users_signed_up_at ON users (signed_up_at);
CREATE INDEX users_last_seen_at ON users (last_seen_at);

-- Substring search over the users' folded strings, for contains,
-- starts_with, ends_with and equals (candidates are checked exactly).
CREATE VIRTUAL TABLE user_trgm USING fts5(
	id_fold, external_id_fold, email_fold, name_fold, role_fold,
	content = '', contentless_delete = 1,
	tokenize = 'trigram'
);

CREATE TABLE user_attrs (
	user_seq INTEGER NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
	key      TEXT NOT NULL,
	kind     TEXT NOT NULL,
	str      TEXT,
	num      REAL,
	PRIMARY KEY (user_seq, key)
) WITHOUT ROWID;
CREATE INDEX user_attrs_str ON user_attrs (key, kind, str);
CREATE INDEX user_attrs_num ON user_attrs (key, kind, num);

CREATE TABLE companies (
	id              TEXT PRIMARY KEY,
	id_fold         TEXT NOT NULL,
	company_id      TEXT UNIQUE,
	company_id_fold TEXT,
	name            TEXT,
	name_fold       TEXT,
	plan            TEXT,
	plan_fold       TEXT,
	size            REAL,
	industry        TEXT,
	industry_fold   TEXT,
	website         TEXT,
	website_fold    TEXT,
	monthly_spend   REAL,
	created_at      INTEGER,
	custom          TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE company_attrs (
	company_id TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
	key        TEXT NOT NULL,
	kind       TEXT NOT NULL,
	str        TEXT,
	num        REAL,
	PRIMARY KEY (company_id, key)
) WITHOUT ROWID;
CREATE INDEX company_attrs_str ON company_attrs (key, kind, str);
CREATE INDEX company_attrs_num ON company_attrs (key, kind, num);

-- A membership may name a company not (yet) imported: it still gives the
-- user sight of that company's tickets, and no company attributes.
CREATE TABLE memberships (
	user_seq   INTEGER NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
	company_id TEXT NOT NULL,
	position   INTEGER NOT NULL,
	PRIMARY KEY (user_seq, company_id)
) WITHOUT ROWID;
CREATE INDEX memberships_company ON memberships (company_id, user_seq);

CREATE TABLE ticket_types (
	id       TEXT PRIMARY KEY,
	name     TEXT NOT NULL,
	category TEXT NOT NULL
);

CREATE TABLE tickets (
	seq            INTEGER PRIMARY KEY,
	id             TEXT NOT NULL UNIQUE,
	ticket_id      TEXT NOT NULL UNIQUE,
	title          TEXT NOT NULL,
	description    TEXT NOT NULL,
	category       TEXT NOT NULL CHECK (category IN ('Customer', 'Back-office', 'Tracker')),
	is_shared      INTEGER NOT NULL,
	state_category TEXT NOT NULL,
	state_label    TEXT NOT NULL,
	type_id        TEXT NOT NULL,
	type_name      TEXT NOT NULL,
	creator_id     TEXT,
	company_id     TEXT,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	open           INTEGER NOT NULL
);
-- The portal's lists: only shared Customer tickets, newest first, per
-- company and per creator, so one user's page is a merge of short index
-- range scans.
CREATE INDEX tickets_portal_company ON tickets (company_id, updated_at DESC, id DESC)
	WHERE category = 'Customer' AND is_shared = 1;
CREATE INDEX tickets_portal_creator ON tickets (creator_id, updated_at DESC, id DESC)
	WHERE category = 'Customer' AND is_shared = 1;

CREATE TABLE ticket_contacts (
	ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	position  INTEGER NOT NULL,
	user_id   TEXT NOT NULL,
	PRIMARY KEY (ticket_id, position)
) WITHOUT ROWID;

CREATE TABLE parts (
	ticket_id   TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	position    INTEGER NOT NULL,
	id          TEXT NOT NULL,
	part_type   TEXT NOT NULL,
	body        TEXT NOT NULL,
	author_type TEXT NOT NULL,
	author_id   TEXT NOT NULL,
	author_name TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (ticket_id, position)
) WITHOUT ROWID;

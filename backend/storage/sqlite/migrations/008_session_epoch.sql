-- Portal sessions (package server). The key that signed session cookies
-- was kept here raw (server_secrets.session_key), so whoever could read
-- the workspace could forge a session for any contact: it is deleted, and
-- the cookies it signed stop working. The key is now derived from the
-- identity-verification secret, a file kept beside the workspace and
-- never in it, and from the session generation kept here: a new
-- generation (serve --end-sessions, --rotate-identity-secret) ends every
-- session at once. revoked_sessions holds the sessions signed out before
-- they expire, until they expire.
DELETE FROM server_secrets WHERE name = 'session_key';

CREATE TABLE session_epoch (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	generation INTEGER NOT NULL,
	salt       BLOB NOT NULL,
	started_at INTEGER NOT NULL
);

CREATE TABLE revoked_sessions (
	id         TEXT PRIMARY KEY,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX revoked_sessions_expiry ON revoked_sessions (expires_at);

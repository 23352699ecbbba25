-- Portal tests: expectations an admin keeps with the workspace ("alice can
-- access", "at most 5% of users are restricted"). Each is stored as its
-- sentence, the one form it is written, shown and parsed in (package
-- studio); ids are never reused, so a script may remove what it added.

CREATE TABLE portal_checks (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	text       TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

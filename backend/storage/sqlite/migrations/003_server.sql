-- The portal server's own state. A workspace served by `portalstudio serve`
-- keeps every version of its live settings (the "live" row of settings is
-- always the newest), the hash of its admin token and the key that signs
-- portal session cookies, so that any replica can check them. A desktop
-- workspace has these tables too, empty.

CREATE TABLE settings_versions (
	version    INTEGER PRIMARY KEY,
	doc        TEXT NOT NULL,
	summary    TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE server_secrets (
	name       TEXT PRIMARY KEY,
	value      BLOB NOT NULL,
	updated_at INTEGER NOT NULL
);

-- The changes log of the audience engine (audience_source.go): every
-- import records its generation (dataset_log) and, when it lists them,
-- the users (by seq) and companies (by id) it wrote (dataset_changes), so
-- that the engine re-reads only their rows after a small import. listed
-- = 0 marks an import whose changes are not listed (a Replace, a large
-- import): nothing before it can be caught up from.
CREATE TABLE dataset_log (
	counter INTEGER PRIMARY KEY,
	stamp   TEXT NOT NULL,
	listed  INTEGER NOT NULL
);

CREATE TABLE dataset_changes (
	counter    INTEGER NOT NULL,
	user_seq   INTEGER,
	company_id TEXT
);

CREATE INDEX dataset_changes_counter ON dataset_changes (counter);

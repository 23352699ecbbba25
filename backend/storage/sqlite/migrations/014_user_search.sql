-- The users' substring search (SearchUsers: the user picker of the
-- preview) reads the e-mails and the names only: the trigrams of the ids,
-- the external ids and the roles doubled the index (335 → 158 MB at a
-- million users) and its build (23 → 12 s, in every demo build and
-- Replace import). Filled again by fillUserSearch (db.go).
DROP TABLE user_trgm;
CREATE VIRTUAL TABLE user_trgm USING fts5(
	email_fold, name_fold,
	content = '', contentless_delete = 1,
	tokenize = 'trigram'
);

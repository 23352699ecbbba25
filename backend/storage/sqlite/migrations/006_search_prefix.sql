-- The search index again, now with prefix indexes of 1, 2 and 3
-- characters: the last search term is a prefix, and a prefix query of a
-- few letters otherwise merges the doclists of thousands of terms (1.2 s
-- for "t" at 2,000,000 tickets; 33 ms with them). Longer prefixes are
-- expanded into the terms they begin (see Search). The index is filled
-- again from the tickets in the same transaction (reindexSearch), so no
-- search ever sees it empty.
DROP TABLE ticket_fts_vocab;
DROP TABLE ticket_fts;
CREATE VIRTUAL TABLE ticket_fts USING fts5(
	body, vis,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0',
	prefix = '1 2 3'
);
CREATE VIRTUAL TABLE ticket_fts_vocab USING fts5vocab(ticket_fts, 'row');

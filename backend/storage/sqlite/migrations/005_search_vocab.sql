-- The search index's own vocabulary: Search reads the terms that begin
-- with the last search term (a prefix) and, when there are few, asks for
-- them by name, which FTS5 answers lazily, instead of a prefix query,
-- which merges the whole doclist of every such term first.
CREATE VIRTUAL TABLE ticket_fts_vocab USING fts5vocab(ticket_fts, 'row');

-- Portal search. One document per shared Customer ticket (no other ticket
-- is ever indexed), under the ticket's seq: its title, description and
-- customer-visible parts as space-separated tokens made by portal.Tokens
-- (folded), and visibility tokens: "c<hex of company id>" and "u<hex of
-- creator id>". A search matches {body} against the user's words and {vis}
-- against the user's own tokens, so the index itself filters by
-- visibility. Contentless: the text lives in tickets and parts.
CREATE VIRTUAL TABLE ticket_fts USING fts5(
	body, vis,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0'
);

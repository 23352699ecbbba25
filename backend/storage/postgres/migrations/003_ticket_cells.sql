-- The facets of a portal list without a date filter are, for the
-- companies, sums of a few counts: ticket_cells holds each company's
-- shared Customer tickets per state category and type, kept by every
-- import in the transaction that writes the tickets (import.go). Counting
-- a large company's tickets from their index at every request took about
-- half of the list's time at a million users (issue 19). A cell that
-- reaches zero is deleted: a count is never zero nor negative.
CREATE TABLE ticket_cells (
	company_id text COLLATE "C" NOT NULL,
	state_category text NOT NULL,
	type_id text NOT NULL,
	n bigint NOT NULL CHECK (n > 0),
	PRIMARY KEY (company_id, state_category, type_id)
);
INSERT INTO ticket_cells (company_id, state_category, type_id, n)
SELECT company_id, state_category, type_id, count(*) FROM tickets
WHERE company_id IS NOT NULL AND category = 'Customer' AND is_shared
GROUP BY company_id, state_category, type_id;

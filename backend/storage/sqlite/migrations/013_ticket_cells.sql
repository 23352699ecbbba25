-- The facets of a portal list are, for the companies, sums of a few
-- counts: ticket_cells holds each company's shared Customer tickets per
-- state category and type, kept by the triggers below in the statement
-- that writes a ticket (a bulk load drops them and counts the cells once
-- at its end: import.go). Counting a large company's tickets at every
-- request was half of the list's time at a million users (issue 19). A
-- cell that reaches zero is deleted.
CREATE TABLE ticket_cells (
	company_id TEXT NOT NULL,
	state_category TEXT NOT NULL,
	type_id TEXT NOT NULL,
	n INTEGER NOT NULL CHECK (n > 0),
	PRIMARY KEY (company_id, state_category, type_id)
) WITHOUT ROWID;
INSERT INTO ticket_cells (company_id, state_category, type_id, n)
SELECT company_id, state_category, type_id, count(*) FROM tickets
WHERE company_id IS NOT NULL AND category = 'Customer' AND is_shared = 1
GROUP BY company_id, state_category, type_id;
CREATE TRIGGER ticket_cells_insert AFTER INSERT ON tickets
WHEN NEW.company_id IS NOT NULL AND NEW.category = 'Customer' AND NEW.is_shared = 1 BEGIN
	INSERT INTO ticket_cells (company_id, state_category, type_id, n) VALUES (NEW.company_id, NEW.state_category, NEW.type_id, 1)
	ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER ticket_cells_delete AFTER DELETE ON tickets
WHEN OLD.company_id IS NOT NULL AND OLD.category = 'Customer' AND OLD.is_shared = 1 BEGIN
	DELETE FROM ticket_cells WHERE company_id = OLD.company_id AND state_category = OLD.state_category AND type_id = OLD.type_id AND n = 1;
	UPDATE ticket_cells SET n = n - 1 WHERE company_id = OLD.company_id AND state_category = OLD.state_category AND type_id = OLD.type_id;
END;
CREATE TRIGGER ticket_cells_update AFTER UPDATE OF company_id, state_category, type_id, category, is_shared ON tickets BEGIN
	DELETE FROM ticket_cells WHERE OLD.company_id IS NOT NULL AND OLD.category = 'Customer' AND OLD.is_shared = 1
		AND company_id = OLD.company_id AND state_category = OLD.state_category AND type_id = OLD.type_id AND n = 1;
	UPDATE ticket_cells SET n = n - 1 WHERE OLD.company_id IS NOT NULL AND OLD.category = 'Customer' AND OLD.is_shared = 1
		AND company_id = OLD.company_id AND state_category = OLD.state_category AND type_id = OLD.type_id;
	INSERT INTO ticket_cells (company_id, state_category, type_id, n)
	SELECT NEW.company_id, NEW.state_category, NEW.type_id, 1 WHERE NEW.company_id IS NOT NULL AND NEW.category = 'Customer' AND NEW.is_shared = 1
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

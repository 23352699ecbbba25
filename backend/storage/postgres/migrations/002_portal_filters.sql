-- The portal's lists filter by state category, type and creation date and
-- sort by last update or by creation, either way (issue 19), as the
-- SQLite store's migration 009. Each source of a page (the creator, each
-- company) is one ordered, limited scan of a partial index per sort key
-- that carries the filters' columns and the ticket's seq, so with the
-- visibility map set (a large import ends with VACUUM) it is an index-only
-- scan whatever the filters keep: the first indexes had only the update
-- order, so a page sorted by creation, or filtered, read and sorted every
-- ticket of the company from the table. The facets are grouped counts of
-- the companies' tickets over their own index (company, state, type,
-- created), index-only too.
DROP INDEX tickets_portal_company;
DROP INDEX tickets_portal_creator;
CREATE INDEX tickets_portal_company ON tickets (company_id, updated_at DESC, id DESC)
	INCLUDE (state_category, type_id, created_at, seq) WHERE category = 'Customer' AND is_shared;
CREATE INDEX tickets_portal_creator ON tickets (creator_id, updated_at DESC, id DESC)
	INCLUDE (state_category, type_id, created_at, company_id, seq) WHERE category = 'Customer' AND is_shared;
CREATE INDEX tickets_portal_company_created ON tickets (company_id, created_at DESC, id DESC)
	INCLUDE (state_category, type_id, seq) WHERE category = 'Customer' AND is_shared;
CREATE INDEX tickets_portal_creator_created ON tickets (creator_id, created_at DESC, id DESC)
	INCLUDE (state_category, type_id, seq) WHERE category = 'Customer' AND is_shared;
CREATE INDEX tickets_portal_company_facets ON tickets (company_id, state_category, type_id, created_at)
	WHERE category = 'Customer' AND is_shared;

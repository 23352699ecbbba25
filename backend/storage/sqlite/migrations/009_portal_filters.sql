-- The portal's lists filter by state category, type and creation date and
-- sort by last update or by creation, either way (issue 19). Each source
-- of a page (the creator, each company) is still one ordered, limited scan
-- of a partial index, now one per sort key, and the filters are checked
-- on the index's own columns, so a filter that keeps few tickets costs no
-- table reads; the facets are grouped counts over the same indexes.
DROP INDEX tickets_portal_company;
DROP INDEX tickets_portal_creator;
CREATE INDEX tickets_portal_company ON tickets (company_id, updated_at DESC, id DESC, state_category, type_id, created_at)
	WHERE category = 'Customer' AND is_shared = 1;
CREATE INDEX tickets_portal_creator ON tickets (creator_id, updated_at DESC, id DESC, state_category, type_id, created_at)
	WHERE category = 'Customer' AND is_shared = 1;
CREATE INDEX tickets_portal_company_created ON tickets (company_id, created_at DESC, id DESC, state_category, type_id)
	WHERE category = 'Customer' AND is_shared = 1;
CREATE INDEX tickets_portal_creator_created ON tickets (creator_id, created_at DESC, id DESC, state_category, type_id)
	WHERE category = 'Customer' AND is_shared = 1;
-- The facets: per company, the tickets grouped by state and type in the
-- index's own order, so the counts stream without a sort.
CREATE INDEX tickets_portal_company_facets ON tickets (company_id, state_category, type_id, created_at)
	WHERE category = 'Customer' AND is_shared = 1;

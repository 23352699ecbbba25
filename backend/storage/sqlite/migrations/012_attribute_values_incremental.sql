-- The suggested values (attribute_values, migration 011) are kept in step
-- by each small import instead of refilled (attrvalues.go): it takes
-- away the old values of the users and companies it wrote and adds their
-- new ones. For that it needs two things the refill knew by counting
-- everything: how many hold each spelling of a standard attribute's
-- value (the one most hold is shown), and which attributes have more
-- distinct values than are suggested (they have no rows in
-- attribute_values, like an attribute nobody holds). Both are derived
-- data, filled again with attribute_values by this migration.
CREATE TABLE attribute_spellings (
	attribute TEXT NOT NULL,
	fold      TEXT NOT NULL,
	value     TEXT NOT NULL,
	holders   INTEGER NOT NULL,
	PRIMARY KEY (attribute, fold, value)
) WITHOUT ROWID;

-- distinct_min is a lower bound of how many distinct values the attribute has
-- (counted up to twice the limit, then lowered by each value that may
-- have lost its last holder): it is counted again only once that could
-- have brought it under the limit.
CREATE TABLE attribute_values_full (
	attribute    TEXT PRIMARY KEY,
	distinct_min INTEGER NOT NULL
) WITHOUT ROWID;

-- The values the rule builder suggests: for every text attribute a rule
-- can read ("company.plan", "user.custom.department"), each distinct
-- value, folded (portal.Fold) and as one holder spelled it, with how many
-- users (a person attribute) or companies (a company attribute) hold it.
-- Derived data, refilled in the transaction of every import
-- (attrvalues.go), so a suggestion is one short index range: an
-- attribute with more distinct values than portal.MaxValueSuggestions
-- (ids, emails, names) has no rows here.
CREATE TABLE attribute_values (
	attribute TEXT NOT NULL,
	fold      TEXT NOT NULL,
	value     TEXT NOT NULL,
	holders   INTEGER NOT NULL,
	PRIMARY KEY (attribute, fold)
) WITHOUT ROWID;

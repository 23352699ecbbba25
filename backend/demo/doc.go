// Package demo generates a realistic, deterministic helpdesk workspace of
// any size: companies with domains and plans, users with company e-mail
// addresses (some in several companies, some in none), and tickets of every
// category, shared and unshared, with customer and support replies and
// internal notes.
//
// Generate streams portal.Records (companies, then users, then tickets with
// their parts and type) to a callback, so a million users cost no more
// memory than ten. Nothing is kept between records: every record is a pure
// function of the seed and its index. Each record draws from its own PCG
// stream, seeded from (Seed, kind, index), and what one record needs to
// know about another — a user's companies, name and sign-up date when a
// ticket picks its creator, a company's domain when a user gets an e-mail
// address — is recomputed from that other record's seed rather than looked
// up. The same Options therefore always produce byte-identical records, and
// Count can report exact totals (parts included) without generating text.
//
// Identity is not random: names and domains come from bijections over word
// lists (a seed-dependent affine permutation), so every company name,
// company domain and user e-mail address is unique without a lookup table;
// when the combinations run out a legal suffix ("GmbH", ".de") or a number
// ("maria.garcia2") is appended. Ids do not depend on the seed: company and
// user ids are 24 hex digits made of a fixed prefix and the index, company_id
// is "cmp_000123", external_id "usr_000042", ticket_id counts up from 1001.
//
// A few records are fixed so that documentation and tests can name them:
// companies 0, 1 and 2 are Examply (examply.com, Pro), Globex (globex.io,
// Enterprise) and Initech (initech.com, Starter); users 0, 1 and 2 are
// alice.martin@examply.com and bob.chen@examply.com (Examply) and
// carol.diaz@globex.io (Globex and Examply). The word "Internal" appears in
// notes only, while notes also reuse words of customer text (export,
// invoice, refund, SSO), so search tests can prove notes never match.
//
// Sizes: a zero Options field means the default (2000 users, 200
// companies, 4000 tickets) and None (any negative number) means none.
// Times are relative to Options.Now, which defaults to a fixed date rather
// than the clock. The full size (a million users, 100,000 companies, two
// million tickets, about six million parts) takes well under ten seconds
// on two cores with a callback that does nothing; see BenchmarkGenerate.
package demo

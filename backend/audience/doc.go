// Package audience is the audience engine: it answers "which users does
// this rule match?" for a whole workspace at once, and compares those
// answers as sets (who has access, who is restricted, whom a change of
// settings affects). It gives exactly what portal.Eval and portal.Decide
// give user by user; the property tests in the SQLite adapter compare
// them on random rules and data.
//
// The engine is pure Go (the standard library, roaring and the domain):
// it knows no store. An adapter fills it through its builders and keeps
// it in step with the data.
//
// # Users are rows
//
// Every user has a seq: a small number given on first import, never
// reused, in the order the users came. The engine numbers its rows by
// seq (rows = the highest seq + 1), so a set of users is a set of small
// integers, and "workspace order" is increasing seq. Rows without a user
// (deleted ones) are simply not in the set of all users. Companies are
// numbered the same way, by the order the adapter adds them.
//
// # Columns
//
// Each attribute a rule may name is one column: the users' standard
// fields (UserField), their custom attributes, each company's standard
// fields (CompanyField) and custom attributes. Strings are held folded
// (portal.Fold), in a dictionary of codes when values repeat, else in
// one byte arena (with offsets, or fixed-width when every value has the
// same length). Numbers, booleans (0 or 1) and dates (Unix seconds) are
// held as small unsigned integers off a base when they are whole numbers
// in a narrow range, else as float64. A column is dense (one position
// per row, and a bitset of the rows with a value) or sparse (the rows
// with a value, increasing, and the values in the same order), whichever
// is smaller. A value of another kind than its attribute's is never
// stored: it reads as unset, as in portal.Eval.
//
// Memberships link users to companies, in a compressed form split in two
// because most users belong to one company: each user's first company in
// one array (or "none"), and the others of the users with several in
// lists (CSR) beside them. A long-running engine (Options.Keep) also
// holds them the other way round, each company's users (compindex.go),
// made in memory as it loads and never written to the file.
//
// # How a condition scans a column
//
// A condition is turned into its positive operator and a predicate on
// the folded value: equals, contains, starts_with, ends_with and is_set
// on strings; equals, greater than and less than on numbers; "more than
// N days ago" is less than a cut-off date, "less than N days ago"
// greater. A negative operator (not_equals, not_contains, is_not_set...)
// is the complement of its positive twin over all users, so a user
// without a value matches it, as portal.Eval says.
//
// The scan writes a bitset of 64-bit words, one bit per row, a word at a
// time without branches on the outcome where it can: a dictionary
// column decides the predicate once per distinct value and then looks
// each row's code up in that table; an integer column compares each
// value with one unsigned subtraction (v-lo <= hi-lo); an arena compares
// prefixes, suffixes and equal values as one masked 8-byte word, and
// finds contains over the whole arena at once, from the operand's rarest
// byte (or rarest pair of bytes, eight positions at a time), never
// letting a match straddle two values.
//
// # Trigram indexes
//
// An arena of many values (65,536 positions or more: the users' e-mails,
// names and ids at scale) also holds an index of its trigrams
// (trigram.go): every trigram a value holds with how many positions hold
// it, and the positions of the rare ones (held by at most one position
// in 1,024), the rarest first, up to as many positions as the column has.
// A condition on a user's string whose operand has three bytes or more
// (contains, equals, starts_with, ends_with, and their negations) reads
// the positions of the operand's rarest trigram and tests their values
// alone: `user.email contains "examply"` tests 691 e-mails, not a
// million, and an operand holding a trigram no value holds matches no
// one at once. When every trigram of the operand is common, the column
// is scanned as above. Opened from a file, the index checks only the
// blocks it reads: its tables, the candidates' positions and, for each
// candidate, the blocks of its offsets and value (4 KiB each), so a
// one-shot count reads a few megabytes of the e-mails, not 40.
//
// A company condition scans the company's column into a set of companies
// (kept for the next rules), then maps it to users through the
// memberships: each user's first company a word of users at a time, then
// the few users with more; or, where the engine holds each company's
// users, by setting the bits of the users of the companies in the set.
// A user matches when at least one of their companies in the workspace
// does.
//
// # How a rule becomes set operations
//
// A rule is a tree of groups and conditions. "all" is AND of its
// children's sets, cheapest first (numbers and dictionary codes before
// company conditions before string arenas, groups last) and stopping at
// an empty set; once few candidates are left (rows/16), the remaining
// children are tested on the candidates alone instead of scanning whole
// columns. "any" is OR. "not" lives in the operators: a negated
// condition is all users ANDNOT the positive set. The result becomes a
// roaring bitmap (sharing the scan's words), on which the rest is
// algebra: an audience "except" another rule is ANDNOT; Audience returns
// it.
//
// # First users without the whole set
//
// A list needs the first fifty users, not the million behind a count.
// First compiles the rule into a test of 64 users at once (a word of
// seqs and a mask of who is still in), cheapest conditions first, and
// walks the words in seq order, stopping as soon as it has n users. A
// group runs all its tests on its first 8 words and then orders them by
// what each costs over the share of words it ends (a rare condition
// behind a cheap but common one goes first). A company condition no
// earlier rule kept the set of is decided a company at a time, as users
// of the company are reached. A rare rule would walk far: past rows/8
// users (at least 4,096) it computes the whole set and takes its head,
// so the answer is always exactly the head of Audience's set. A contains
// condition on an arena searches the word's values at once for the
// operand's rarest byte when four or more of its users are still in, as
// a whole scan does.
//
// # Portal sets and impact
//
// Under one settings document, PortalSets holds two sets: Access (the
// portal is on and the access rule matches) and Restricted ⊆ Access
// (visibility is restricted and its conditions, if any, match). SetsOf
// builds them from the audiences of the document's Rules. Comparing two
// documents is four set differences (NewImpact):
//
//	gain_access         = access_after \ access_before
//	lose_access         = access_before \ access_after
//	become_restricted   = (access_before \ restricted_before) ∩ restricted_after
//	become_unrestricted = restricted_before ∩ (access_after \ restricted_after)
//
// and whether company A's users see company B's tickets (ExposureOf) is
// intersections of the members, the creators and the portal sets.
//
// # Filling the engine: the Source port
//
// A store feeds the engine through the Source interface (source.go),
// which the engine owns and every store implements (the SQLite
// workspace; a PostgreSQL store the same way). Its rows go into three
// builders, filled row by row in increasing order: a UserBuilder (users
// and their standard fields), an AttrBuilder (custom attributes of
// users, by seq) and a CompanyBuilder (companies, their fields and custom
// attributes, then the memberships). Each may be filled on a goroutine
// of its own, for example from three read transactions; NewColumns
// assembles them into Columns, which never change afterwards and are
// shared by every audience.
//
// # Keeping in step: the Engine
//
// The Engine (engine.go) is what services use: it answers every audience
// question (counts, first users, portal sets, impact, exposure) from
// columns at the store's current generation, an opaque string the
// Source changes in the same transaction as every write. Before each
// answer it reads the generation; when the data moved it catches up
// first, and never answers from another generation's columns:
//
//   - from the changes alone, when the Source can tell which users a
//     write touched (ReadChanges): the columns of those users (delta)
//     replace theirs in the columns of everyone (base), a rule deciding
//     each user on their own attributes and companies, which delta holds
//     whole: set = (base's set \ changed users) ∪ delta's set;
//   - from the file it keeps beside the store (Options.Path; datafile.go
//     and persist.go), when that holds the current generation, or the
//     generation of a changes file beside it;
//   - from every row (ReadColumns), with a notice, after which it writes
//     the file for the next process.
//
// A long-running process (Options.Keep) does this in the background at
// once and after every write it is told of (ChangeNotifier); a one-shot
// command does it on its first question, mapping the file.
//
// # The file, checked part by part
//
// The file (persist.go) is a table of parts: each column and the
// memberships is a part of its own, with a checksum (CRC-32) of each of
// its 4 KiB blocks, listed in an index at the end with the generation
// and the set of users. Opening it (OpenColumns) checks the header, the
// index and the footer only; each part is read and checked, its blocks'
// checksums and then its structure (offsets, increasing rows, codes,
// memberships), the first time a rule reads it, once (a sync.Once per
// part: goroutines that need it at once wait for one check). A one-shot
// count so touches the parts its rule reads (and of a column answered by
// its trigram index, only the blocks of its candidates), not all 136 MB
// of a million users, and asks the system for them at once (madvise
// MADV_POPULATE_READ) rather than a page fault at a time. The file is
// written in aligned blocks of 2 MiB and mapped with MADV_HUGEPAGE
// (datafile.go, advise_linux.go), so that the page cache keeps it in
// huge folios and a process maps 2 MiB of it at a time. A long-running
// process maps the file too, and checks every part at load (ReadColumns,
// Columns.Verify), on every core: its columns are the file's pages, which
// the system shares with every command reading the same file and may
// drop and read again under memory pressure, not copies on its heap.
// Each view on them holds the mapping, and so does each question and
// load reading a view (held, retain and release in engine.go; mapping in datafile.go): the file is
// unmapped when the last of them lets go, after a load replaced the
// view. Nothing an engine returns points into the file. Columns built
// from the store are written to the file, then mapped from it; only
// where there is no file (or it cannot be written) do they stay on the
// heap, where the collector lets the heap grow only a little past them
// (gc.go).
//
// A list reading a part by its head keeps reading it by its head to
// the end of its walk, even when another question reads the part whole
// meanwhile: the head's derived data (the memberships' ranks) is filled
// only as the head is checked.
//
// A list of the first users (First) reads less still: it walks the
// users in seq order and stops at its n-th match, so it reads the users'
// parts and the memberships by their head (rows.go). Their small pieces
// (a column's form, dictionary and byte frequencies) are checked when
// read; their arrays of rows are checked a range of rows at a time as
// the walk reaches it (4,096 rows, then a quarter more each time): the
// blocks holding the range, then its structure. Fifty users of a rule
// matching one in 1,400 so check 80,000 rows' blocks, about 4 MB, not
// the 45 MB of the e-mails and the memberships; a condition a trigram
// index answers tests its candidates in the same order, those before the
// rows reached (foundRows). No byte is read before
// its block is checked; a damaged block within the head is ErrDamaged,
// one past it is found by the first question that reads the part whole.
//
// A part found damaged at its first use is ErrDamaged, for every
// question that reads it: never a wrong answer nor a panic. The Engine
// then says the file cannot be used, drops what it read from it, builds
// the data again from the store (with the same notice as when there is
// no file), writes the file whole, and answers the question from the new
// data. The changes file is small: it is checked whole when read. A file
// of another format version (5: no trigram indexes, blocks of 64 KiB) is
// another version, built again.
package audience

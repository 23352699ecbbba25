package portal

import (
	"context"
	"time"
)

// The ports: what the product's services (the studio, the portal server,
// the sync client) need of a workspace's store, declared here in domain
// terms so that services depend on the domain only and every store — the
// SQLite workspace today, PostgreSQL next — implements one contract. Each
// method documents its error contract; an error without a code of this
// package is EINTERNAL (ErrorCode).

// Directory reads the people, companies and tickets of a workspace.
type Directory interface {
	// Counts returns the dataset's sizes.
	Counts(ctx context.Context) (Counts, error)
	// Schema returns the attribute schema rules are checked against.
	Schema(ctx context.Context) (*Schema, error)
	// FindUser finds a user by id, external_id or email (letter case
	// aside), with their companies, for the admin's tools. Returns
	// ENOTFOUND if none matches and EINVALID if an email belongs to
	// several contacts.
	FindUser(ctx context.Context, key string) (*User, error)
	// UserByID returns the user with that id, with their companies.
	// Returns ENOTFOUND if there is none.
	UserByID(ctx context.Context, id string) (*User, error)
	// ByExternalID returns the user with that external_id (an identity
	// token's user_id). Returns ENOTFOUND if there is none.
	ByExternalID(ctx context.Context, externalID string) (*User, error)
	// UserByEmail returns the one user whose stored email is that very
	// address, letter case aside (an identity token's email: never accent
	// or compatibility folding). Returns ENOTFOUND if none has it and
	// ECONFLICT if several do.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// SearchUsers lists at most limit users whose email or name contains
	// q (folded), in workspace order.
	SearchUsers(ctx context.Context, q string, limit int) ([]UserSummary, error)
	// UserNames returns the names of the users with those ids (the ones
	// that exist).
	UserNames(ctx context.Context, ids []string) (map[string]string, error)
	// Subject returns the user with those of their companies the
	// workspace holds, ready for rule evaluation.
	Subject(ctx context.Context, u *User) (Subject, error)
	// Subjects returns the users with those ids (the ones that exist),
	// each with their companies (User.CompanyIDs) and those of them the
	// workspace holds (Subject.Companies): what UserByID then Subject
	// give one user at a time, in a few reads for a page of users.
	Subjects(ctx context.Context, ids []string) (map[string]Subject, error)
	// FindCompany finds a company by id, company_id or name (folded).
	// Returns EINVALID if a name is ambiguous; a key no company has comes
	// back as it is with an empty name.
	FindCompany(ctx context.Context, key string) (id, name string, err error)
	// Companies returns the companies with those ids (the ones that
	// exist).
	Companies(ctx context.Context, ids []string) ([]*Company, error)
	// FindTicket returns the id of the ticket with that id or, failing
	// that, that number. Returns ENOTFOUND if neither exists.
	FindTicket(ctx context.Context, key string) (string, error)
	// Ticket returns a ticket with its contacts and every part (notes
	// included: the caller filters what a customer sees). Returns
	// ENOTFOUND if there is none.
	Ticket(ctx context.Context, id string) (*Ticket, error)
	// TicketsByKey returns the tickets a portal address may name: the one
	// whose id is key, then the one whose number is key; none when
	// neither exists. They come without parts, with their creator as
	// their only contact: enough to decide who sees them. One lookup
	// whichever exists, so that hidden and missing cost the same.
	TicketsByKey(ctx context.Context, key string) ([]Ticket, error)
	// Tickets returns one page of the portal tickets on a user's tab that
	// the query's filter keeps, in its order (by default newest update
	// first; ties by id in the same direction), with the total the filter
	// keeps and the tab's Facets. The caller decides whether the tab is
	// the user's and validates the filter. Returns EINVALID for a cursor
	// it did not make or one made for another sort or order.
	Tickets(ctx context.Context, q TicketQuery) (TicketPage, error)
	// AttributeValues lists the values of a text attribute ("company.plan",
	// "user.custom.department") whose folded form begins with prefix
	// (folded: letter case and accents aside), each with how many users
	// (a person attribute) or companies (a company attribute) hold it,
	// most held first, at most limit. Spellings that fold alike count as
	// one value. An attribute held with more than MaxValueSuggestions
	// distinct values (ids, emails, names) lists none. Returns EINVALID
	// for an attribute the schema does not know or that is not text, and
	// for a limit outside 1 to 100.
	AttributeValues(ctx context.Context, attr, prefix string, limit int) ([]ValueCount, error)
}

// ValueCount is one value of an attribute and how many users (or
// companies) hold it.
type ValueCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// MaxValueSuggestions is how many distinct values an attribute may have
// and still have them suggested: beyond it, its values identify rather
// than group (emails, names) and AttributeValues lists none.
const MaxValueSuggestions = 5000

// ValueQuery checks a Directory.AttributeValues request against the
// schema and returns the attribute it names: EINVALID, saying what to
// ask instead, for a limit outside 1 to 100, an attribute the schema does
// not know, or one that does not hold text.
func ValueQuery(s *Schema, attr string, limit int) (Attribute, error) {
	if limit < 1 || limit > 100 {
		return Attribute{}, Errorf(EINVALID, "ask for 1 to 100 values, not %d", limit)
	}
	a, ok := s.Lookup(attr)
	if !ok {
		return a, Errorf(EINVALID, "this workspace has no attribute %q; pick one of its attributes", attr)
	}
	if a.Kind != KindString {
		return a, Errorf(EINVALID, "%s holds %ss, not text: only text attributes have suggested values", a.Label, a.Kind)
	}
	return a, nil
}

// TicketSearch finds the portal tickets on a user's tab that match a
// search.
type TicketSearch interface {
	// Search returns one page of the tickets on the user's tab that hold
	// every term (the last as a prefix), or whose number is q.Number, and
	// that the query's filter keeps: the numbered ticket first, then best
	// first (or in the filter's sort when it has one), with the total and
	// the Facets of the matches. A number the user may not see on the tab
	// is ignored exactly like a number no ticket has. Returns EINVALID for
	// a cursor it did not make or one made for another sort or order.
	Search(ctx context.Context, q SearchQuery) (SearchPage, error)
}

// Importer writes records into the dataset.
type Importer interface {
	// Import upserts every record src emits, in one transaction: on any
	// error nothing is written. Rejected records are reported (and, with
	// opt.Strict, roll everything back: Committed is false).
	Import(ctx context.Context, src RecordSource, opt ImportOptions) (ImportReport, error)
}

// Snapshotter reads the whole dataset for another workspace's copy.
type Snapshotter interface {
	// Snapshot reads the dataset as one consistent snapshot: header once,
	// then emit for every company, user and ticket. An error from header
	// or emit stops it and is returned.
	Snapshot(ctx context.Context, header func(SnapshotHeader) error, emit func(Record) error) error
}

// SettingsStore keeps the draft, the live settings and their versions.
type SettingsStore interface {
	// Draft returns the draft (the defaults before the first edit).
	Draft(ctx context.Context) (*Settings, error)
	// Live returns the live settings (version 0, the defaults, before the
	// first write).
	Live(ctx context.Context) (*Settings, error)
	// Env returns what validating settings needs to know of the
	// workspace.
	Env(ctx context.Context) (Env, error)
	// ApplyDraft validates a whole document and, only when every part is
	// valid, makes it the draft, keeping the draft's base version.
	// Returns EINVALID with every problem otherwise.
	ApplyDraft(ctx context.Context, doc []byte) (*Settings, error)
	// SetLive records st as the live settings, as a sync brought them.
	SetLive(ctx context.Context, st *Settings) error
	// SetSynced records, in one transaction, the live settings a sync
	// brought back and, when draft is not nil, makes it the draft based
	// on that version.
	SetSynced(ctx context.Context, live, draft *Settings) error
	// LiveVersion returns the live settings' version (0 before the first
	// write).
	LiveVersion(ctx context.Context) (int, error)
	// PutLive validates doc and, when ifMatch is the live version (or
	// AnyVersion), makes it the next live version, in one transaction:
	// of two writers from one version exactly one wins. Returns a
	// *StaleError (EPRECONDITION) with the current document when ifMatch
	// is stale, EINVALID with every problem when doc is invalid.
	PutLive(ctx context.Context, doc []byte, ifMatch int) (*Settings, error)
	// RestoreLive makes version n's content the next live version.
	// Returns ENOTFOUND for an unknown version, and a *StaleError like
	// PutLive.
	RestoreLive(ctx context.Context, n, ifMatch int) (*Settings, error)
	// Versions lists the live settings' versions, newest first, at most
	// limit.
	Versions(ctx context.Context, limit int) ([]SettingsVersion, error)
	// Version returns version n of the live settings. Returns ENOTFOUND
	// if there is none.
	Version(ctx context.Context, n int) (*Settings, error)
}

// AnyVersion, as the ifMatch of PutLive or RestoreLive, skips the version
// check.
const AnyVersion = -1

// CheckStore keeps the workspace's portal tests, as sentences.
type CheckStore interface {
	// Checks returns the portal tests in the order they were added.
	Checks(ctx context.Context) ([]StoredCheck, error)
	// AddChecks adds tests and returns their ids.
	AddChecks(ctx context.Context, texts []string) ([]int, error)
	// ReplaceChecks replaces every test, in one transaction.
	ReplaceChecks(ctx context.Context, texts []string) ([]int, error)
	// RemoveChecks removes tests by id. Returns ENOTFOUND, removing
	// nothing, if an id is unknown.
	RemoveChecks(ctx context.Context, ids []int) error
}

// ServerState keeps what a portal server needs besides the dataset and
// the settings: the admin token's hash, where the portal is, and the
// session generation.
type ServerState interface {
	// Secret returns a stored secret, or nil when there is none.
	Secret(ctx context.Context, name string) ([]byte, error)
	// SetSecret stores a secret.
	SetSecret(ctx context.Context, name string, value []byte) error
	// ServerAddress returns the recorded base URL and slug ("" before the
	// first start).
	ServerAddress(ctx context.Context) (baseURL, slug string, err error)
	// SetServer records the base URL and slug portal URLs are made from.
	SetServer(ctx context.Context, baseURL, slug string) error
	// EnsureSessionEpoch returns the session generation, starting the
	// first one when there is none.
	EnsureSessionEpoch(ctx context.Context) (SessionEpoch, error)
	// EndSessions starts a new session generation, which ends every
	// session.
	EndSessions(ctx context.Context) (SessionEpoch, error)
	// SessionState returns the current generation and whether the
	// session with that id was signed out.
	SessionState(ctx context.Context, id string) (ep SessionEpoch, revoked bool, err error)
	// RevokeSession records that the session with that id was signed out,
	// until it expires.
	RevokeSession(ctx context.Context, id string, expires, now time.Time) error
}

// Prefetcher reads together what a signed-in portal request needs before
// its page. A store whose every read is a round trip to a database server
// (PostgreSQL) offers it, so that such a request costs one round trip
// before its page instead of one per read; the portal server uses it when
// its store has it, and reads one thing at a time otherwise.
type Prefetcher interface {
	// Prefetch returns, as they are now: the session generation and
	// whether the session with id sessionID was signed out, the
	// identity secret (SecretIdentity; nil when there is none), the user
	// with id userID with their companies (User nil when there is none),
	// and the live settings and the attribute schema. Its values may be
	// shared with other requests: callers must not modify them.
	Prefetch(ctx context.Context, sessionID, userID string) (*Prefetched, error)
}

// Prefetched is what Prefetch read for one request.
type Prefetched struct {
	Epoch          SessionEpoch
	Revoked        bool
	IdentitySecret []byte
	// User is nil when no user has the id; Subject is the user with the
	// companies the workspace holds, ready for rule evaluation.
	User    *User
	Subject Subject
	Live    *Settings
	Schema  *Schema
}

// SecretAdminTokenHash names the SHA-256 of a server's admin token in
// ServerState; the token itself is never stored.
const SecretAdminTokenHash = "admin_token_sha256"

// SecretIdentity names the identity-verification secret in the
// ServerState of a store that replicas share (PostgreSQL): there every
// replica reads it from the database. A server on one machine keeps it
// in a file outside its store instead.
const SecretIdentity = "identity_secret"

// SessionEpoch is a generation of portal sessions: starting a new one
// ends every session of the ones before.
type SessionEpoch struct {
	// Generation counts the times every session was ended; it starts at 1.
	Generation int64
	// Salt is 32 random bytes of this generation, mixed into the session
	// key so that a workspace made afresh beside the same identity secret
	// never accepts the sessions of the one before. It is not secret.
	Salt []byte
}

// TicketQuery asks for one page of a user's portal list. Its
// TicketFilter (State, Types, CreatedAfter, CreatedBefore, Sort, Order)
// narrows and orders it.
type TicketQuery struct {
	UserID     string
	CompanyIDs []string // the user's companies; used for the All tab only
	Tab        string   // TabAll or TabMine
	Cursor     string   // from the previous page's Next, or ""
	Limit      int
	TicketFilter
}

// TicketPage is one page of a portal list.
type TicketPage struct {
	Tickets []Ticket `json:"tickets"`
	Total   int      `json:"total"` // the tickets the filter keeps
	Next    string   `json:"next,omitempty"`
	Facets  Facets   `json:"-"`
	// CreatorNames, when the store read them with the page, are the
	// names (else emails) of the page's tickets' creators, by user id, as
	// UserNames gives them; nil when it did not.
	CreatorNames map[string]string `json:"-"`
}

// SearchQuery asks for one page of a user's search on a tab. Its
// TicketFilter narrows it and, when Sort is set, orders it.
type SearchQuery struct {
	UserID     string
	CompanyIDs []string // used on the All tab only
	Tab        string
	Terms      []string // from SearchTerms
	Number     string   // from TicketNumber: a ticket to put first, or ""
	Cursor     string
	Limit      int
	TicketFilter
}

// SearchPage is one page of search results: ticket ids, best first.
type SearchPage struct {
	IDs    []string
	Total  int
	Next   string
	Facets Facets
}

// SettingsVersion describes one version of the live settings.
type SettingsVersion struct {
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	Summary   string    `json:"summary"`
}

// StoredCheck is a portal test as a workspace keeps it: its sentence.
type StoredCheck struct {
	ID   int
	Text string
}

// RecordSource emits the records of an import and returns the ones it rejected
// while reading.
type RecordSource func(emit func(Record) error) ([]Rejection, error)

// ImportOptions tune an import.
type ImportOptions struct {
	// Strict rolls the whole import back when any record is rejected. By
	// default rejected records are reported and skipped, and the valid
	// ones are written.
	Strict bool
	// Replace empties the dataset (users, companies, tickets, the
	// attribute schema) before importing, in the same transaction; the
	// settings are kept. The source must not repeat an id.
	Replace bool
	// Progress, when set, is called every 1,000 records with the count.
	Progress func(records int)
	// Attributes and TicketTypes, when set, are recorded before any
	// record: a dataset snapshot carries them so that its copy has the
	// same schema as the original.
	Attributes  []Attribute
	TicketTypes []TicketType
}

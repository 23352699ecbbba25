package audience

import (
	"context"
	"errors"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/portal"
)

// Source is what the engine loads from: a store of users, companies and
// memberships (the SQLite workspace, a PostgreSQL database), seen through
// the engine's builders, plus the few reads that put names on sets of
// users. The Engine owns the policy (when to read, what to keep, the
// file); a Source only reads rows.
//
// Every method may be called on several goroutines at once. An error
// without a code of package portal is EINTERNAL (portal.ErrorCode).
type Source interface {
	// Generation returns the generation of the data now: an opaque
	// string naming one state of one store's users, companies,
	// memberships and attributes, which changes in the same transaction
	// as every write to them (imports, deletions, migrations that change
	// how rows are stored). Equal strings mean equal data; the engine
	// never answers from columns of another generation. Returns an error
	// only when the store cannot be read.
	Generation(ctx context.Context) (string, error)

	// ReadColumns reads every user, company and membership as of one
	// generation, pushes them into the engine's builders (NewUserBuilder,
	// NewAttrBuilder, NewCompanyBuilder) and assembles them with
	// NewColumns. It returns the columns and the generation they hold.
	// It fails (nothing half-read is returned) when the store cannot be
	// read or ctx is done.
	ReadColumns(ctx context.Context) (*Columns, string, error)

	// ReadChanges reads, as of one generation, the rows of the users the
	// writes after generation since touched, as columns holding only
	// those users: every user added or changed, every member of a
	// company added or changed, each with all their attributes and all
	// their companies (so that their rules evaluate on these columns
	// alone). It returns the columns and the generation they hold.
	// Returns ErrChangesUnknown (wrapped or not) when it cannot tell
	// which users changed: a deletion, too many changes, a generation it
	// does not know (another store's, a migration since); the engine
	// then reads everything with ReadColumns.
	ReadChanges(ctx context.Context, since string) (*Columns, string, error)

	// Summaries returns the users with those seqs, in the same order; a
	// seq without a user gives an empty summary.
	Summaries(ctx context.Context, seqs []uint32) ([]portal.UserSummary, error)

	// CompanyReach returns what the exposure check needs of two
	// companies (see ExposureOf): the seqs of the members of a and of b,
	// and of the creators of b's shared Customer tickets, with how many
	// such tickets b has. A company the store does not hold has no
	// members and no tickets.
	CompanyReach(ctx context.Context, a, b string) (Reach, error)
}

// Reach is what a Source reads for ExposureOf.
type Reach struct {
	MembersA, MembersB, Creators *roaring.Bitmap
	// Tickets counts company b's shared Customer tickets.
	Tickets int
}

// ErrChangesUnknown says a Source cannot tell which users changed since
// a generation: the engine reads everything instead.
var ErrChangesUnknown = errors.New("the changes since that generation are not known")

// ChangeNotifier is implemented by a Source that can tell, in its own
// process, when a write to the data committed: a long-running engine
// then catches up at once, in the background, rather than at the next
// audience. Writes by other processes are seen by Generation.
type ChangeNotifier interface {
	// NotifyChanges makes the source call fn, on a goroutine of its
	// own or not, after every write to the data it commits.
	NotifyChanges(fn func())
}

package sqlite

/*
// SQLite's own API, compiled into this binary by mattn/go-sqlite3. 1007
// is SQLITE_DBCONFIG_ENABLE_QPSG (sqlite3.h).
extern int sqlite3_db_config(void *, int, ...);
extern int sqlite3_auto_extension(void (*)(void));
extern int sqlite3_open_v2(const char *, void **, int, const char *);
extern int sqlite3_close(void *);
extern int sqlite3_config(int, ...);
extern long long sqlite3_memory_used(void);

// ps_stable_plans is run by SQLite for every connection it opens: it
// turns the query planner stability guarantee on.
static int ps_stable_plans(void *db, char **err, const void *api) {
	sqlite3_db_config(db, 1007, 1, (int *)0);
	return 0;
}

// ps_setup configures SQLite before anything uses it, then registers
// ps_stable_plans. 9 is SQLITE_CONFIG_MEMSTATUS: off, SQLite keeps no
// count of the memory it holds, and its every allocation and free no
// longer takes a mutex all connections share.
static int ps_setup(void) {
	sqlite3_config(9, 0); // refused only once SQLite is in use: TestMemoryNotCounted
	return sqlite3_auto_extension((void (*)(void))ps_stable_plans);
}

// ps_memory_counted reports whether SQLite counts its memory: it holds
// some while a connection is open.
static int ps_memory_counted(void) {
	void *db = 0;
	if (sqlite3_open_v2(":memory:", &db, 0x02 | 0x04, 0) != 0) {
		sqlite3_close(db);
		return -1;
	}
	int counted = sqlite3_memory_used() > 0;
	sqlite3_close(db);
	return counted;
}

// ps_stable_plans_on opens a connection to a new in-memory database and
// reports whether the guarantee is on there (1), off (0), or -1 when the
// connection cannot be opened.
static int ps_stable_plans_on(void) {
	void *db = 0;
	if (sqlite3_open_v2(":memory:", &db, 0x02 | 0x04, 0) != 0) { // SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
		sqlite3_close(db);
		return -1;
	}
	int on = -1;
	sqlite3_db_config(db, 1007, -1, &on);
	sqlite3_close(db);
	return on;
}
*/
import "C"

// Every connection this package opens keeps its statements' plans
// whatever values are bound to them (SQLite's query planner stability
// guarantee, SQLITE_DBCONFIG_ENABLE_QPSG), turned on by an automatic
// extension SQLite runs for each new connection.
//
// Without it SQLite compiles a statement again each time a new value is
// bound to a parameter that it compared, while planning, with a literal
// of a partial index's condition: the lists' sources and the facets read
// the partial indexes of the portal's tickets (`WHERE category =
// 'Customer' AND is_shared = 1`) with the user and company as
// parameters, so every page compiled its two largest statements anew.
// A source alone took 16 to 20 µs with a parameter against 8 to 10 µs
// with the same value written in the text, and 10 to 13 µs with the
// guarantee (README's Speed, session 14). The plans do not change: the
// conditions of those indexes are matched by the literals the queries
// spell out (portalEligible), and the workspace has no statistics tables
// and no LIKE whose pattern is a parameter, the other things the
// guarantee keeps the planner from looking at.
//
// SQLite counts no memory (ps_setup): the counting made every allocation
// of every connection take one shared mutex, a 1/5-size demo build
// 26.1 → 24.8 s (README's Speed, session 16).
var stablePlans = C.ps_setup() == 0

// stablePlansOn reports whether a new connection has the guarantee on
// (the tests).
func stablePlansOn() bool { return stablePlans && C.ps_stable_plans_on() == 1 }

// memoryCounted reports whether SQLite counts its memory (the tests).
func memoryCounted() bool { return C.ps_memory_counted() != 0 }

package sqlite_test

import (
	"context"
	"strings"
	"testing"

	"portalstudio/backend/storage/sqlite"
)

// TestStablePlans: every connection has SQLite's query planner stability
// guarantee on (planner.go), and with it the portal lists' statements,
// whose user and company are parameters, still read the portal's partial
// indexes (their conditions are matched by the literals the statements
// spell out), covering ones where the statement reads only what they hold.
func TestStablePlans(t *testing.T) {
	if !sqlite.StablePlansOn() {
		t.Fatal("a new SQLite connection has the query planner stability guarantee off")
	}
	ctx := context.Background()
	ws := MustOpen(t)
	for _, c := range []struct{ query, index string }{
		{`SELECT t.updated_at, t.id, t.seq FROM tickets t WHERE t.company_id = ? AND t.category = 'Customer' AND t.is_shared = 1 ORDER BY t.updated_at DESC, t.id DESC LIMIT ?`,
			"USING COVERING INDEX tickets_portal_company (company_id=?)"},
		{`SELECT t.created_at, t.id, t.seq FROM tickets t WHERE t.creator_id = ? AND t.category = 'Customer' AND t.is_shared = 1 ORDER BY t.created_at DESC, t.id DESC LIMIT ?`,
			"USING COVERING INDEX tickets_portal_creator_created (creator_id=?)"},
		{`SELECT t.state_category, t.type_id, count(*), sum(t.created_at >= ?2) FROM tickets t WHERE t.company_id = ?1 AND t.category = 'Customer' AND t.is_shared = 1 GROUP BY t.state_category, t.type_id`,
			"USING COVERING INDEX tickets_portal_company_facets (company_id=?)"},
	} {
		plan, err := ws.PlanOf(ctx, c.query, "c1", 21)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(plan, "\n"), c.index) {
			t.Errorf("%s\nis planned\n%s\nwant %s", c.query, strings.Join(plan, "\n"), c.index)
		}
	}
}

// TestMemoryNotCounted: SQLite keeps no count of the memory it holds
// (planner.go), so its allocations take no shared mutex.
func TestMemoryNotCounted(t *testing.T) {
	if sqlite.MemoryCounted() {
		t.Fatal("SQLite counts the memory it holds: every allocation takes a mutex all connections share")
	}
}

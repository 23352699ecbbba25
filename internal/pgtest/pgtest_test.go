package pgtest_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"portalstudio/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestCluster starts the throwaway cluster, makes two databases and
// writes in one without the other seeing it.
func TestCluster(t *testing.T) {
	ctx := context.Background()
	a, b := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	if a == b {
		t.Fatalf("two databases share the URL %s", a)
	}
	ca, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close(ctx)
	if _, err := ca.Exec(ctx, `CREATE TABLE x (n int); INSERT INTO x VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := ca.QueryRow(ctx, `SELECT n FROM x`).Scan(&n); err != nil || n != 7 {
		t.Fatalf("read back %d, %v", n, err)
	}
	cb, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close(ctx)
	var exists bool
	if err := cb.QueryRow(ctx, `SELECT to_regclass('x') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Fatalf("the other database sees table x: %v %v", exists, err)
	}
}

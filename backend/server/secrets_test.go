package server_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/server"
	"portalstudio/internal/fake"
)

// The logic of PrepareSecrets against a store that fails: what a server
// start reports, and what it leaves in the data folder.

// files lists the names in dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestPrepareSecrets_StoreFails(t *testing.T) {
	ctx := context.Background()
	broken := errors.New("disk I/O error")

	t.Run("SecretUnreadable", func(t *testing.T) {
		dir := t.TempDir()
		st := fake.Secrets()
		st.SecretFn = func(context.Context, string) ([]byte, error) { return nil, broken }
		if _, err := server.PrepareSecrets(ctx, st, dir, server.SecretOptions{}); !errors.Is(err, broken) {
			t.Fatalf("err = %v, want the store's error", err)
		}
		if got := files(t, dir); len(got) != 0 {
			t.Fatalf("a start that could not read its store wrote %v", got)
		}
	})

	t.Run("SetSecretFails", func(t *testing.T) {
		dir := t.TempDir()
		st := fake.Secrets()
		set := st.SetSecretFn
		st.SetSecretFn = func(context.Context, string, []byte) error { return broken }
		if _, err := server.PrepareSecrets(ctx, st, dir, server.SecretOptions{}); !errors.Is(err, broken) {
			t.Fatalf("err = %v, want the store's error", err)
		}
		// Only the whole token file: no temporary file left, nothing
		// half-written, no identity secret made after the failure.
		if got := files(t, dir); len(got) != 1 || got[0] != server.AdminTokenFile {
			t.Fatalf("data folder holds %v, want only %s", got, server.AdminTokenFile)
		}
		b, err := os.ReadFile(filepath.Join(dir, server.AdminTokenFile))
		if err != nil || len(strings.TrimSpace(string(b))) < 16 || !strings.HasSuffix(string(b), "\n") {
			t.Fatalf("token file %q, %v: want a whole token", b, err)
		}
		// The next start, with a store that works, adopts that token.
		st.SetSecretFn = set
		sec, err := server.PrepareSecrets(ctx, st, dir, server.SecretOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(sec.Notes, "\n"), "adopted the existing admin token") {
			t.Fatalf("notes %q: want the token adopted", sec.Notes)
		}
		if h, _ := st.Secret(ctx, portal.SecretAdminTokenHash); len(h) != 32 {
			t.Fatalf("hash %x: want the adopted token's SHA-256", h)
		}
	})

	t.Run("SessionsFail", func(t *testing.T) {
		dir := t.TempDir()
		st := fake.Secrets()
		st.EndSessionsFn = func(context.Context) (portal.SessionEpoch, error) { return portal.SessionEpoch{}, broken }
		if _, err := server.PrepareSecrets(ctx, st, dir, server.SecretOptions{}); err != nil {
			t.Fatal(err) // a plain start only ensures a generation
		}
		if _, err := server.PrepareSecrets(ctx, st, dir, server.SecretOptions{EndSessions: true}); !errors.Is(err, broken) {
			t.Fatalf("err = %v, want the store's error: sessions not ended must not pass for ended", err)
		}
	})
}

package remote_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/internal/fake"
)

// The desktop's sync logic over a Vault: what it keeps, when, and what it
// does with what was kept — with a fake vault, so that no keyring nor
// token file is involved, and a fake desktop workspace (the store is not
// the point: sync_test.go has the round trips through real ones).

// emptyDesktop is a desktop workspace that never synced, kept in k.
func emptyDesktop(t *testing.T) (*fake.Local, *fake.Kept) {
	t.Helper()
	k := &fake.Kept{}
	return fake.Desktop(k, filepath.Join(t.TempDir(), "desk.db")), k
}

func TestConnectKeepsTokenOnlyAfterPull(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, nil)

	t.Run("ErrRefused", func(t *testing.T) {
		ws, k := emptyDesktop(t)
		v := fake.MemoryVault()
		saved := 0
		save := v.SaveFn
		v.SaveFn = func(ctx context.Context, server, token string) (string, error) {
			saved++
			return save(ctx, server, token)
		}
		if _, err := remote.Connect(ctx, ws, v, s.url, "wrong-token", remote.PullOptions{}); portal.ErrorCode(err) != portal.EUNAUTHORIZED {
			t.Fatalf("err = %v, want EUNAUTHORIZED", err)
		}
		if saved != 0 {
			t.Fatal("a refused pull kept its token")
		}
		if st, err := remote.StatusOf(ctx, ws, v); err != nil || st.Server != "" || st.HasToken {
			t.Fatalf("status %+v, %v: want nothing remembered", st, err)
		}
		if k.Live != nil || k.Draft != nil || k.SyncServer != "" || k.BaseURL != "" {
			t.Fatalf("a refused pull wrote to the workspace: %+v", k)
		}
	})

	t.Run("OK", func(t *testing.T) {
		ws, k := emptyDesktop(t)
		v := fake.MemoryVault()
		if _, err := remote.Connect(ctx, ws, v, s.url, s.token, remote.PullOptions{}); err != nil {
			t.Fatal(err)
		}
		kept, _ := v.Load(ctx)
		if kept.Token != s.token || !remote.SameServer(kept.Server, s.url) {
			t.Fatalf("kept %+v, want the token for %s", kept, s.url)
		}
		if !remote.SameServer(k.SyncServer, s.url) || k.Live == nil || k.Live.Version != 1 || k.Draft == nil || !k.Draft.Equal(k.Live) {
			t.Fatalf("the workspace after connecting: %+v; want the server remembered and its live version 1 as live and draft", k)
		}
		st, err := remote.StatusOf(ctx, ws, v)
		if err != nil || !st.Connected || st.TokenIn != remote.InKeyring {
			t.Fatalf("status %+v, %v: want connected, token in the keyring", st, err)
		}
		if _, err := remote.SavedClient(ctx, ws, v); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSavedClientFromVault(t *testing.T) {
	ctx := context.Background()
	ws, k := emptyDesktop(t)
	k.SyncServer = "http://127.0.0.1:8080"
	kept := func(kt remote.KeptToken, err error) *fake.Vault {
		return &fake.Vault{LoadFn: func(context.Context) (remote.KeptToken, error) { return kt, err }}
	}

	t.Run("ErrOtherServer", func(t *testing.T) {
		v := kept(remote.KeptToken{Server: "http://127.0.0.1:9090", Token: "tok-B", Bound: true, Where: remote.InFile}, nil)
		if _, err := remote.SavedClient(ctx, ws, v); portal.ErrorCode(err) != portal.EPRECONDITION {
			t.Fatalf("err = %v: a token saved for another server must not be sent", err)
		}
	})
	t.Run("UnboundBelongsToWorkspaceServer", func(t *testing.T) {
		v := kept(remote.KeptToken{Token: "tok-old", Where: remote.InFile}, nil)
		c, err := remote.SavedClient(ctx, ws, v)
		if err != nil || c.Token != "tok-old" {
			t.Fatalf("client %+v, %v: an older token alone belongs to the workspace's server", c, err)
		}
	})
	t.Run("ErrVaultUnreadable", func(t *testing.T) {
		broken := portal.Errorf(portal.EPRECONDITION, "cannot read the admin token file")
		v := kept(remote.KeptToken{}, broken)
		if _, err := remote.StatusOf(ctx, ws, v); !errors.Is(err, broken) {
			t.Fatalf("err = %v, want the vault's error", err)
		}
	})
}

package sync

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zalando/go-keyring"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// keyringService names Portal Studio's entries in the OS keyring.
const keyringService = "Portal Studio"

// NoKeyringEnv, set to any value, keeps admin tokens out of the OS keyring
// (in the 0600 file instead): for tests and machines without one.
const NoKeyringEnv = "PORTALSTUDIO_NO_KEYRING"

// keyringTimeout bounds a keyring call: a desktop without a running
// Secret Service must not hang a sync.
const keyringTimeout = 5 * time.Second

// Where an admin token is kept.
const (
	InKeyring = "keyring"
	InFile    = "file"
)

// Credentials are the server a workspace syncs with and its admin token.
type Credentials struct {
	Server string
	Token  string
	// Where says where the token is kept: InKeyring or InFile ("" when
	// there is none).
	Where string
	// File is the token file: <workspace>.token.
	File string
}

// tokenFile is the fallback place of a workspace's admin token.
func tokenFile(ws *sqlite.Workspace) string { return ws.Path() + ".token" }

// keyringUser names a workspace's entry in the keyring: its absolute path.
func keyringUser(ws *sqlite.Workspace) string {
	p, err := filepath.Abs(ws.Path())
	if err != nil {
		p = ws.Path()
	}
	return "admin-token:" + p
}

func useKeyring() bool { return os.Getenv(NoKeyringEnv) == "" }

// withTimeout runs a keyring call, giving up after keyringTimeout.
func withTimeout[T any](fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-time.After(keyringTimeout):
		var zero T
		return zero, errors.New("the keyring did not answer")
	}
}

// LoadCredentials returns the server and admin token remembered for a
// workspace: the server from the workspace, the token from the OS keyring
// or, failing that, the 0600 file next to the workspace.
func LoadCredentials(ctx context.Context, ws *sqlite.Workspace) (Credentials, error) {
	cr := Credentials{File: tokenFile(ws)}
	var err error
	if cr.Server, err = ws.SyncServer(ctx); err != nil {
		return cr, err
	}
	if useKeyring() {
		tok, err := withTimeout(func() (string, error) { return keyring.Get(keyringService, keyringUser(ws)) })
		if err == nil && tok != "" {
			cr.Token, cr.Where = tok, InKeyring
			return cr, nil
		}
	}
	b, err := os.ReadFile(cr.File)
	if errors.Is(err, fs.ErrNotExist) {
		return cr, nil
	}
	if err != nil {
		return cr, portal.Errorf(portal.EPRECONDITION, "cannot read the admin token file %s: %v", cr.File, err)
	}
	cr.Token, cr.Where = strings.TrimSpace(string(b)), InFile
	return cr, nil
}

// SaveCredentials remembers the server in the workspace and the admin
// token in the OS keyring when there is one, else in <workspace>.token
// (mode 0600). The token never goes into the settings document nor the
// workspace file. It returns where the token went.
func SaveCredentials(ctx context.Context, ws *sqlite.Workspace, server, token string) (string, error) {
	if err := ws.SetSyncServer(ctx, server); err != nil {
		return "", err
	}
	file := tokenFile(ws)
	if useKeyring() {
		_, err := withTimeout(func() (struct{}, error) { return struct{}{}, keyring.Set(keyringService, keyringUser(ws), token) })
		if err == nil {
			// One place only: a file left from before goes.
			if rerr := os.Remove(file); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				return InKeyring, portal.Errorf(portal.EPRECONDITION, "the admin token is now in the keyring, but the old file %s could not be removed: %v", file, rerr)
			}
			return InKeyring, nil
		}
	}
	if err := writeTokenFile(file, token); err != nil {
		return "", err
	}
	return InFile, nil
}

// writeTokenFile writes the token with mode 0600, atomically.
func writeTokenFile(path, token string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return portal.Errorf(portal.EPRECONDITION, "cannot write the admin token file %s: %v", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return portal.Errorf(portal.EPRECONDITION, "cannot protect the admin token file %s: %v", path, err)
	}
	_, werr := tmp.WriteString(token + "\n")
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return portal.Errorf(portal.EPRECONDITION, "cannot write the admin token file %s: %v", path, werr)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return portal.Errorf(portal.EPRECONDITION, "cannot write the admin token file %s: %v", path, err)
	}
	return nil
}

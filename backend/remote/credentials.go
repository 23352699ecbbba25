package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zalando/go-keyring"

	"portalstudio/backend/portal"
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
	// Server is the server the workspace syncs with (kept in the
	// workspace).
	Server string
	// Token is the saved admin token, which belongs to TokenServer only:
	// use TokenFor to get it for a server.
	Token string
	// TokenServer is the server the token was saved for. A token saved
	// before tokens were kept with their server (a keyring entry or file
	// holding the token alone) belongs to Server.
	TokenServer string
	// Bound says the token was saved with its server (false for the older
	// form, which the next save replaces).
	Bound bool
	// Where says where the token is kept: InKeyring or InFile ("" when
	// there is none).
	Where string
	// File is the token file: <workspace>.token.
	File string
}

// TokenFor returns the saved token when it belongs to server (the two
// compared as NormalizeServer does), else "": a token is never sent to a
// server it was not saved for.
func (cr Credentials) TokenFor(server string) string {
	if cr.Token == "" || !SameServer(cr.TokenServer, server) {
		return ""
	}
	return cr.Token
}

// storedToken is how a token is kept, in the keyring and in the file:
// together with the server it belongs to.
type storedToken struct {
	Server string `json:"server"`
	Token  string `json:"token"`
}

// parseStored reads a kept token: the JSON form with its server, or the
// older token alone (bound reports which).
func parseStored(s string) (server, token string, bound bool) {
	s = strings.TrimSpace(s)
	var st storedToken
	if strings.HasPrefix(s, "{") && json.Unmarshal([]byte(s), &st) == nil && st.Token != "" {
		return st.Server, strings.TrimSpace(st.Token), true
	}
	return "", s, false
}

// setToken records a kept token in cr.
func (cr *Credentials) setToken(stored, where string) {
	server, tok, bound := parseStored(stored)
	if !bound {
		server = cr.Server
	}
	cr.Token, cr.TokenServer, cr.Bound, cr.Where = tok, server, bound, where
}

// tokenFile is the fallback place of a workspace's admin token.
func tokenFile(ws Local) string { return ws.Location() + ".token" }

// keyringUser names a workspace's entry in the keyring: its absolute path.
func keyringUser(ws Local) string {
	p, err := filepath.Abs(ws.Location())
	if err != nil {
		p = ws.Location()
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
// workspace: the server from the workspace, the token and the server it
// belongs to from the OS keyring or, failing that, the 0600 file next to
// the workspace.
func LoadCredentials(ctx context.Context, ws Local) (Credentials, error) {
	cr := Credentials{File: tokenFile(ws)}
	var err error
	if cr.Server, err = ws.SyncServer(ctx); err != nil {
		return cr, err
	}
	if useKeyring() {
		tok, err := withTimeout(func() (string, error) { return keyring.Get(keyringService, keyringUser(ws)) })
		if err == nil && strings.TrimSpace(tok) != "" {
			cr.setToken(tok, InKeyring)
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
	if strings.TrimSpace(string(b)) != "" {
		cr.setToken(string(b), InFile)
	}
	return cr, nil
}

// SaveCredentials remembers the server in the workspace and the admin
// token, with the server it belongs to, in the OS keyring when there is
// one, else in <workspace>.token (mode 0600). The token never goes into
// the settings document nor the workspace file. It returns where the
// token went.
func SaveCredentials(ctx context.Context, ws Local, server, token string) (string, error) {
	if err := ws.SetSyncServer(ctx, server); err != nil {
		return "", err
	}
	b, err := json.Marshal(storedToken{Server: server, Token: token})
	if err != nil {
		return "", fmt.Errorf("sync: %w", err)
	}
	stored := string(b)
	file := tokenFile(ws)
	if useKeyring() {
		_, err := withTimeout(func() (struct{}, error) { return struct{}{}, keyring.Set(keyringService, keyringUser(ws), stored) })
		if err == nil {
			// One place only: a file left from before goes.
			if rerr := os.Remove(file); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				return InKeyring, portal.Errorf(portal.EPRECONDITION, "the admin token is now in the keyring, but the old file %s could not be removed: %v", file, rerr)
			}
			return InKeyring, nil
		}
	}
	if err := writeTokenFile(file, stored); err != nil {
		return "", err
	}
	return InFile, nil
}

// writeTokenFile writes the kept token with mode 0600, atomically.
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

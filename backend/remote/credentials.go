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
	"portalstudio/backend/privatefile"
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

// Vault keeps a workspace's admin token together with the server it was
// saved for, outside the workspace file: the OS keyring or a 0600 file by
// default (KeyringVault), a fake in tests.
type Vault interface {
	// Load returns the kept token: a zero KeptToken when there is none.
	// Returns EPRECONDITION when the place it is kept cannot be read.
	Load(ctx context.Context) (KeptToken, error)
	// Save keeps token for server, in place of what was kept, and returns
	// where it went (InKeyring or InFile). Returns EPRECONDITION when it
	// cannot be kept.
	Save(ctx context.Context, server, token string) (where string, err error)
}

// KeptToken is an admin token as a Vault keeps it.
type KeptToken struct {
	// Server is the server the token was saved for; "" when it was saved
	// alone (Bound false), before tokens were kept with their server.
	Server string
	Token  string
	Bound  bool
	// Where is InKeyring or InFile.
	Where string
}

// keptToken reads a kept token (see parseStored) found in where.
func keptToken(stored, where string) KeptToken {
	server, tok, bound := parseStored(stored)
	return KeptToken{Server: server, Token: tok, Bound: bound, Where: where}
}

// KeyringVault keeps a workspace's admin token in the OS keyring when
// there is one (and NoKeyringEnv is not set), else in <workspace>.token
// with mode 0600.
type KeyringVault struct {
	// Location is the workspace's location (Local.Location).
	Location string
}

// VaultOf returns the default vault of a workspace: its KeyringVault.
func VaultOf(ws Local) KeyringVault { return KeyringVault{Location: ws.Location()} }

// File is the fallback place of the token: <workspace>.token.
func (v KeyringVault) File() string { return v.Location + ".token" }

// keyringUser names a workspace's entry in the keyring: its absolute path.
func (v KeyringVault) keyringUser() string {
	p, err := filepath.Abs(v.Location)
	if err != nil {
		p = v.Location
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

// Load returns the token from the OS keyring or, failing that, the file.
func (v KeyringVault) Load(ctx context.Context) (KeptToken, error) {
	if useKeyring() {
		tok, err := withTimeout(func() (string, error) { return keyring.Get(keyringService, v.keyringUser()) })
		if err == nil && strings.TrimSpace(tok) != "" {
			return keptToken(tok, InKeyring), nil
		}
	}
	file := v.File()
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return KeptToken{}, nil
	}
	if err != nil {
		return KeptToken{}, portal.Errorf(portal.EPRECONDITION, "cannot read the admin token file %s: %v", file, err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return KeptToken{}, nil
	}
	return keptToken(string(b), InFile), nil
}

// Save keeps the token, with its server, in the OS keyring when there is
// one (removing a file left from before: one place only), else in the
// file.
func (v KeyringVault) Save(ctx context.Context, server, token string) (string, error) {
	b, err := json.Marshal(storedToken{Server: server, Token: token})
	if err != nil {
		return "", fmt.Errorf("sync: %w", err)
	}
	stored := string(b)
	file := v.File()
	if useKeyring() {
		_, err := withTimeout(func() (struct{}, error) { return struct{}{}, keyring.Set(keyringService, v.keyringUser(), stored) })
		if err == nil {
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

// LoadCredentials returns the server and admin token remembered for a
// workspace, from its default vault (VaultOf).
func LoadCredentials(ctx context.Context, ws Local) (Credentials, error) {
	return LoadCredentialsFrom(ctx, ws, VaultOf(ws))
}

// LoadCredentialsFrom returns the server and admin token remembered for a
// workspace: the server from the workspace, the token and the server it
// belongs to from v.
func LoadCredentialsFrom(ctx context.Context, ws Local, v Vault) (Credentials, error) {
	var cr Credentials
	if f, ok := v.(interface{ File() string }); ok {
		cr.File = f.File()
	}
	var err error
	if cr.Server, err = ws.SyncServer(ctx); err != nil {
		return cr, err
	}
	kt, err := v.Load(ctx)
	if err != nil || kt.Token == "" {
		return cr, err
	}
	cr.Token, cr.TokenServer, cr.Bound, cr.Where = kt.Token, kt.Server, kt.Bound, kt.Where
	if !kt.Bound {
		cr.TokenServer = cr.Server
	}
	return cr, nil
}

// SaveCredentials remembers the server and admin token in the workspace's
// default vault (VaultOf). It returns where the token went.
func SaveCredentials(ctx context.Context, ws Local, server, token string) (string, error) {
	return SaveCredentialsIn(ctx, ws, VaultOf(ws), server, token)
}

// SaveCredentialsIn remembers the server in the workspace and the admin
// token, with the server it belongs to, in v. The token never goes into
// the settings document nor the workspace file. It returns where the
// token went.
func SaveCredentialsIn(ctx context.Context, ws Local, v Vault, server, token string) (string, error) {
	if err := ws.SetSyncServer(ctx, server); err != nil {
		return "", err
	}
	return v.Save(ctx, server, token)
}

// writeTokenFile writes the kept token with mode 0600, atomically.
func writeTokenFile(path, token string) error {
	if err := privatefile.Write(path, []byte(token+"\n")); err != nil {
		return portal.Errorf(portal.EPRECONDITION, "cannot write the admin token file %s: %v", path, err)
	}
	return nil
}

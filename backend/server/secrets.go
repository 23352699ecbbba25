package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"portalstudio/backend/portal"
	"portalstudio/backend/privatefile"
)

// Files of a server's data folder.
const (
	AdminTokenFile     = "admin-token"
	IdentitySecretFile = "identity-secret"
)

// Secrets are what a server needs besides its workspace.
type Secrets struct {
	// IdentitySecret verifies identity tokens: the text of the
	// identity-secret file, used as the HMAC key as it is. Session keys
	// are derived from it (Server.sessionKey); none is stored.
	IdentitySecret []byte
	// Notes say what was created or rotated, for the log. They name
	// files, never the secrets themselves.
	Notes []string
}

// SecretOptions ask for new secrets.
type SecretOptions struct {
	// RotateAdminToken makes a new admin token (the old one stops
	// working at once).
	RotateAdminToken bool
	// RotateIdentitySecret makes a new identity-verification secret
	// (identity tokens signed with the old one stop working) and ends
	// every portal session.
	RotateIdentitySecret bool
	// EndSessions ends every portal session (a new session generation),
	// rotating nothing.
	EndSessions bool
}

// newSecret returns 32 random bytes as base64url text (43 characters).
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// PrepareSecrets makes the data folder's secrets ready. On first start it
// creates the admin token and the identity-verification secret, writes
// them to dir/admin-token and dir/identity-secret (mode 0600) and stores
// only the admin token's SHA-256 in the workspace; later starts check the
// token file against that hash and reuse both. A missing or foreign file
// is an error that says how to recover (restore it, or rotate).
//
// It also settles the session generation the session key is derived from
// with the identity secret: a new one, ending every session, when the
// identity secret is rotated or opt.EndSessions asks.
func PrepareSecrets(ctx context.Context, ws portal.ServerState, dir string, opt SecretOptions) (*Secrets, error) {
	sec := &Secrets{}
	tokenPath := filepath.Join(dir, AdminTokenFile)
	secretPath := filepath.Join(dir, IdentitySecretFile)
	hash, err := ws.Secret(ctx, portal.SecretAdminTokenHash)
	if err != nil {
		return nil, err
	}
	firstStart := hash == nil
	token, err := readSecretFile(tokenPath)
	switch {
	case err != nil:
		return nil, err
	case opt.RotateAdminToken || (token == "" && firstStart):
		if token, err = newSecret(); err != nil {
			return nil, err
		}
		if err := writeSecretFile(tokenPath, token); err != nil {
			return nil, err
		}
		sum := sha256.Sum256([]byte(token))
		if err := ws.SetSecret(ctx, portal.SecretAdminTokenHash, sum[:]); err != nil {
			return nil, err
		}
		sec.Notes = append(sec.Notes, "created a new admin token in "+tokenPath+" (mode 0600)")
	case token == "":
		return nil, portal.Errorf(portal.EPRECONDITION, "the admin token file %s is missing, and this server's database knows only its hash; restore the file from a backup, or start once with --rotate-admin-token to make a new token (the old one stops working)", tokenPath)
	case firstStart:
		// A database made afresh next to an existing token: adopt it.
		sum := sha256.Sum256([]byte(token))
		if err := ws.SetSecret(ctx, portal.SecretAdminTokenHash, sum[:]); err != nil {
			return nil, err
		}
		sec.Notes = append(sec.Notes, "adopted the existing admin token in "+tokenPath)
	default:
		sum := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(sum[:], hash) != 1 {
			return nil, portal.Errorf(portal.EPRECONDITION, "the admin token in %s is not the one this server's database knows; restore the right file, or start once with --rotate-admin-token to make a new token", tokenPath)
		}
	}

	secret, err := readSecretFile(secretPath)
	switch {
	case err != nil:
		return nil, err
	case opt.RotateIdentitySecret || (secret == "" && firstStart):
		if secret, err = newSecret(); err != nil {
			return nil, err
		}
		if err := writeSecretFile(secretPath, secret); err != nil {
			return nil, err
		}
		sec.Notes = append(sec.Notes, "created a new identity-verification secret in "+secretPath+" (mode 0600): sign end users' identity tokens (JWT, HS256) with it")
	case secret == "":
		return nil, portal.Errorf(portal.EPRECONDITION, "the identity-verification secret file %s is missing; restore it from a backup, or start once with --rotate-identity-secret to make a new one (identity tokens signed with the old one stop working)", secretPath)
	case len(secret) < 16:
		return nil, portal.Errorf(portal.EPRECONDITION, "the identity-verification secret in %s is shorter than 16 characters; start once with --rotate-identity-secret to make a strong one", secretPath)
	}
	sec.IdentitySecret = []byte(secret)

	if err := prepareSessions(ctx, ws, sec, opt); err != nil {
		return nil, err
	}
	return sec, nil
}

// prepareSessions starts a new session generation when the identity
// secret was rotated or opt.EndSessions asks (every session ends on every
// replica), and makes sure there is one otherwise.
func prepareSessions(ctx context.Context, ws portal.ServerState, sec *Secrets, opt SecretOptions) error {
	if !opt.RotateIdentitySecret && !opt.EndSessions {
		_, err := ws.EnsureSessionEpoch(ctx)
		return err
	}
	ep, err := ws.EndSessions(ctx)
	if err != nil {
		return err
	}
	sec.Notes = append(sec.Notes, fmt.Sprintf("ended every portal session (session generation %d): customers sign in again", ep.Generation))
	return nil
}

// readSecretFile returns a secret file's text without surrounding space,
// or "" when the file does not exist.
func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", portal.Errorf(portal.EPRECONDITION, "cannot read %s: %v", path, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// writeSecretFile writes a secret with mode 0600, replacing the file
// atomically.
func writeSecretFile(path, secret string) error {
	if err := privatefile.Write(path, []byte(secret+"\n")); err != nil {
		return portal.Errorf(portal.EPRECONDITION, "cannot write %s: %v", path, err)
	}
	return nil
}

// PrepareSharedSecrets makes the secrets of replicas sharing one store (a
// PostgreSQL database) ready: there the admin token's hash and the
// identity-verification secret both live in the store, so every replica
// reads them, and a rotation by any replica takes effect on all. Call it
// while holding the store's start lock, so that replicas starting at once
// create them once.
//
// The replica that creates a secret (the first start on an empty
// database, or a rotation) writes it to dir/admin-token or
// dir/identity-secret (0600): dir is required then. An existing secret
// file in dir on an empty database is adopted (a server moved from its
// data folder keeps its token and secret). A token file in dir that is
// not the database's is an error, as with one machine.
func PrepareSharedSecrets(ctx context.Context, ws portal.ServerState, dir string, opt SecretOptions) (*Secrets, error) {
	sec := &Secrets{}
	need := func(what string) error {
		return portal.Errorf(portal.EPRECONDITION, "this replica must create %s (the first start on an empty database, or a rotation): give --data DIR to receive it", what)
	}
	var tokenPath, secretPath string
	if dir != "" {
		tokenPath, secretPath = filepath.Join(dir, AdminTokenFile), filepath.Join(dir, IdentitySecretFile)
	}
	hash, err := ws.Secret(ctx, portal.SecretAdminTokenHash)
	if err != nil {
		return nil, err
	}
	token := ""
	if dir != "" {
		if token, err = readSecretFile(tokenPath); err != nil {
			return nil, err
		}
	}
	switch {
	case opt.RotateAdminToken || (hash == nil && token == ""):
		if dir == "" {
			return nil, need("the admin token")
		}
		if token, err = newSecret(); err != nil {
			return nil, err
		}
		if err := writeSecretFile(tokenPath, token); err != nil {
			return nil, err
		}
		sum := sha256.Sum256([]byte(token))
		if err := ws.SetSecret(ctx, portal.SecretAdminTokenHash, sum[:]); err != nil {
			return nil, err
		}
		sec.Notes = append(sec.Notes, "created a new admin token in "+tokenPath+" (mode 0600); every replica accepts it")
	case hash == nil:
		sum := sha256.Sum256([]byte(token))
		if err := ws.SetSecret(ctx, portal.SecretAdminTokenHash, sum[:]); err != nil {
			return nil, err
		}
		sec.Notes = append(sec.Notes, "adopted the existing admin token in "+tokenPath)
	case token != "":
		sum := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(sum[:], hash) != 1 {
			return nil, portal.Errorf(portal.EPRECONDITION, "the admin token in %s is not the one the database knows; remove the stale file, restore the right one, or start once with --rotate-admin-token to make a new token", tokenPath)
		}
	}

	stored, err := ws.Secret(ctx, portal.SecretIdentity)
	if err != nil {
		return nil, err
	}
	fileSecret := ""
	if dir != "" {
		if fileSecret, err = readSecretFile(secretPath); err != nil {
			return nil, err
		}
	}
	switch {
	case opt.RotateIdentitySecret || (stored == nil && fileSecret == ""):
		if dir == "" {
			return nil, need("the identity-verification secret")
		}
		s, err := newSecret()
		if err != nil {
			return nil, err
		}
		if err := writeSecretFile(secretPath, s); err != nil {
			return nil, err
		}
		if err := ws.SetSecret(ctx, portal.SecretIdentity, []byte(s)); err != nil {
			return nil, err
		}
		stored = []byte(s)
		sec.Notes = append(sec.Notes, "created a new identity-verification secret in "+secretPath+" (mode 0600), kept in the database for every replica: sign end users' identity tokens (JWT, HS256) with it")
	case stored == nil:
		if len(fileSecret) < 16 {
			return nil, portal.Errorf(portal.EPRECONDITION, "the identity-verification secret in %s is shorter than 16 characters; start once with --rotate-identity-secret to make a strong one", secretPath)
		}
		if err := ws.SetSecret(ctx, portal.SecretIdentity, []byte(fileSecret)); err != nil {
			return nil, err
		}
		stored = []byte(fileSecret)
		sec.Notes = append(sec.Notes, "adopted the existing identity-verification secret in "+secretPath+"; every replica now reads it from the database")
	}
	sec.IdentitySecret = stored
	if err := prepareSessions(ctx, ws, sec, opt); err != nil {
		return nil, err
	}
	return sec, nil
}

package fake

import (
	"context"

	"portalstudio/backend/remote"
)

var _ remote.Vault = (*Vault)(nil)

// Vault is a remote.Vault whose methods call its fields.
type Vault struct {
	LoadFn func(ctx context.Context) (remote.KeptToken, error)
	SaveFn func(ctx context.Context, server, token string) (string, error)
}

// Load calls LoadFn.
func (v *Vault) Load(ctx context.Context) (remote.KeptToken, error) { return v.LoadFn(ctx) }

// Save calls SaveFn.
func (v *Vault) Save(ctx context.Context, server, token string) (string, error) {
	return v.SaveFn(ctx, server, token)
}

// MemoryVault returns a Vault that keeps the token in memory, as the
// keyring would ("keyring").
func MemoryVault() *Vault {
	var kept remote.KeptToken
	return &Vault{
		LoadFn: func(context.Context) (remote.KeptToken, error) { return kept, nil },
		SaveFn: func(_ context.Context, server, token string) (string, error) {
			kept = remote.KeptToken{Server: server, Token: token, Bound: true, Where: remote.InKeyring}
			return remote.InKeyring, nil
		},
	}
}

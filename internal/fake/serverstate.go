package fake

import (
	"context"
	"time"

	"portalstudio/backend/portal"
)

var _ portal.ServerState = (*ServerState)(nil)

// ServerState is a portal.ServerState whose methods call its fields.
type ServerState struct {
	SecretFn             func(ctx context.Context, name string) ([]byte, error)
	SetSecretFn          func(ctx context.Context, name string, value []byte) error
	ServerAddressFn      func(ctx context.Context) (baseURL, slug string, err error)
	SetServerFn          func(ctx context.Context, baseURL, slug string) error
	EnsureSessionEpochFn func(ctx context.Context) (portal.SessionEpoch, error)
	EndSessionsFn        func(ctx context.Context) (portal.SessionEpoch, error)
	SessionStateFn       func(ctx context.Context, id string) (portal.SessionEpoch, bool, error)
	RevokeSessionFn      func(ctx context.Context, id string, expires, now time.Time) error
}

// Secret calls SecretFn.
func (s *ServerState) Secret(ctx context.Context, name string) ([]byte, error) {
	return s.SecretFn(ctx, name)
}

// SetSecret calls SetSecretFn.
func (s *ServerState) SetSecret(ctx context.Context, name string, value []byte) error {
	return s.SetSecretFn(ctx, name, value)
}

// ServerAddress calls ServerAddressFn.
func (s *ServerState) ServerAddress(ctx context.Context) (string, string, error) {
	return s.ServerAddressFn(ctx)
}

// SetServer calls SetServerFn.
func (s *ServerState) SetServer(ctx context.Context, baseURL, slug string) error {
	return s.SetServerFn(ctx, baseURL, slug)
}

// EnsureSessionEpoch calls EnsureSessionEpochFn.
func (s *ServerState) EnsureSessionEpoch(ctx context.Context) (portal.SessionEpoch, error) {
	return s.EnsureSessionEpochFn(ctx)
}

// EndSessions calls EndSessionsFn.
func (s *ServerState) EndSessions(ctx context.Context) (portal.SessionEpoch, error) {
	return s.EndSessionsFn(ctx)
}

// SessionState calls SessionStateFn.
func (s *ServerState) SessionState(ctx context.Context, id string) (portal.SessionEpoch, bool, error) {
	return s.SessionStateFn(ctx, id)
}

// RevokeSession calls RevokeSessionFn.
func (s *ServerState) RevokeSession(ctx context.Context, id string, expires, now time.Time) error {
	return s.RevokeSessionFn(ctx, id, expires, now)
}

// Secrets returns a ServerState that keeps secrets in a map and has one
// session generation: the working store a test breaks one method of.
func Secrets() *ServerState {
	kept := map[string][]byte{}
	ep := portal.SessionEpoch{Generation: 1, Salt: make([]byte, 32)}
	return &ServerState{
		SecretFn: func(_ context.Context, name string) ([]byte, error) { return kept[name], nil },
		SetSecretFn: func(_ context.Context, name string, value []byte) error {
			kept[name] = append([]byte(nil), value...)
			return nil
		},
		EnsureSessionEpochFn: func(context.Context) (portal.SessionEpoch, error) { return ep, nil },
		EndSessionsFn: func(context.Context) (portal.SessionEpoch, error) {
			ep.Generation++
			return ep, nil
		},
	}
}

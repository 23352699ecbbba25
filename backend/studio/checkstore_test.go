package studio_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/studio"
	"portalstudio/internal/fake"
)

// The studio's portal-test logic over a fake CheckStore: what reaches the
// store (canonical sentences, nothing when one is wrong) and what comes
// back when the store fails. The directory is the real one the sentences
// are resolved against.

// withChecks is a studio.Store whose portal tests are kept by checks.
type withChecks struct {
	studio.Store
	checks *fake.CheckStore
}

func (s withChecks) Checks(ctx context.Context) ([]portal.StoredCheck, error) {
	return s.checks.Checks(ctx)
}

func (s withChecks) AddChecks(ctx context.Context, texts []string) ([]int, error) {
	return s.checks.AddChecks(ctx, texts)
}

func (s withChecks) ReplaceChecks(ctx context.Context, texts []string) ([]int, error) {
	return s.checks.ReplaceChecks(ctx, texts)
}

func (s withChecks) RemoveChecks(ctx context.Context, ids []int) error {
	return s.checks.RemoveChecks(ctx, ids)
}

// checksOver returns newService's service with its portal tests kept by
// cs.
func checksOver(t *testing.T, cs *fake.CheckStore) *studio.Service {
	t.Helper()
	base := newService(t)
	svc := studio.New(withChecks{Store: base.Store, checks: cs}, base.Audiences)
	svc.Now = base.Now
	return svc
}

func TestCheckStoreLogic(t *testing.T) {
	ctx := context.Background()
	broken := errors.New("disk I/O error")
	none := func(context.Context) ([]portal.StoredCheck, error) { return nil, nil }

	t.Run("OKCanonicalSentencesStored", func(t *testing.T) {
		var got []string
		svc := checksOver(t, &fake.CheckStore{ChecksFn: none,
			AddChecksFn: func(_ context.Context, texts []string) ([]int, error) {
				got = texts
				return []int{1, 2}, nil
			}})
		if _, err := svc.AddChecks(ctx, []string{"  ann@examply.com   can access ", "ben@examply.com is restricted"}); err != nil {
			t.Fatal(err)
		}
		want := []string{"ann@examply.com can access", "ben@examply.com is restricted"}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("stored %q, want %q", got, want)
		}
	})

	t.Run("ErrOneWrongNothingStored", func(t *testing.T) {
		calls := 0
		svc := checksOver(t, &fake.CheckStore{ChecksFn: none,
			AddChecksFn: func(context.Context, []string) ([]int, error) { calls++; return nil, nil },
			ReplaceChecksFn: func(context.Context, []string) ([]int, error) {
				calls++
				return nil, nil
			}})
		texts := []string{"ann@examply.com can access", "nobody@examply.com can access"}
		if _, err := svc.AddChecks(ctx, texts); portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("err = %v, want the unknown user refused", err)
		}
		if _, err := svc.ImportChecks(ctx, []byte("ann@examply.com can access\nann@examply.com flies\n")); portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
		if calls != 0 {
			t.Fatalf("the store was called %d times for tests that were refused", calls)
		}
	})

	t.Run("ErrStoreFails", func(t *testing.T) {
		svc := checksOver(t, &fake.CheckStore{
			ChecksFn:        func(context.Context) ([]portal.StoredCheck, error) { return nil, broken },
			AddChecksFn:     func(context.Context, []string) ([]int, error) { return nil, broken },
			ReplaceChecksFn: func(context.Context, []string) ([]int, error) { return nil, broken },
			RemoveChecksFn:  func(context.Context, []int) error { return broken },
		})
		if _, err := svc.AddChecks(ctx, []string{"ann@examply.com can access"}); !errors.Is(err, broken) {
			t.Errorf("AddChecks: %v", err)
		}
		if _, err := svc.ImportChecks(ctx, []byte(`["ann@examply.com can access"]`)); !errors.Is(err, broken) {
			t.Errorf("ImportChecks: %v", err)
		}
		if _, err := svc.RemoveChecks(ctx, []int{1}); !errors.Is(err, broken) {
			t.Errorf("RemoveChecks: %v", err)
		}
		if _, err := svc.RunChecks(ctx, studio.Draft); !errors.Is(err, broken) {
			t.Errorf("RunChecks: %v", err)
		}
	})
}

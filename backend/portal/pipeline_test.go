package portal_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"portalstudio/backend/portal"
)

// source emits n users u0…u(n-1) and one rejection, and records the
// error its emit returned, if any.
func source(n int, seen *error) portal.RecordSource {
	return func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		rej := []portal.Rejection{{Reason: "one bad line"}}
		for i := 0; i < n; i++ {
			if err := emit(portal.Record{User: &portal.User{ID: fmt.Sprintf("u%d", i)}}); err != nil {
				*seen = err
				return rej, err
			}
		}
		return rej, nil
	}
}

func TestPipeRecords(t *testing.T) {
	ctx := context.Background()
	prep := func(r portal.Record) string { return "made " + r.User.ID }
	t.Run("InOrderPrepared", func(t *testing.T) {
		var seen error
		var got []string
		rej, err := portal.PipeRecords(ctx, source(5000, &seen), 8, prep, func(p portal.Prepared[string]) error {
			if p.Made != "made "+p.Rec.User.ID {
				t.Fatalf("record %s prepared as %q", p.Rec.User.ID, p.Made)
			}
			got = append(got, p.Rec.User.ID)
			return nil
		})
		if err != nil || seen != nil || len(rej) != 1 {
			t.Fatalf("err %v, source saw %v, rejections %v", err, seen, rej)
		}
		for i, id := range got {
			if id != fmt.Sprintf("u%d", i) {
				t.Fatalf("record %d is %s: out of order", i, id)
			}
		}
		if len(got) != 5000 {
			t.Fatalf("%d records written, want 5000", len(got))
		}
	})
	t.Run("WriterErrorStopsSource", func(t *testing.T) {
		var seen error
		boom := errors.New("disk full")
		n := 0
		rej, err := portal.PipeRecords(ctx, source(100000, &seen), 8, prep, func(p portal.Prepared[string]) error {
			if n++; n == 10 {
				return boom
			}
			return nil
		})
		if !errors.Is(err, boom) || seen == nil || len(rej) != 1 {
			t.Fatalf("err %v, source saw %v, rejections %v; want the writer's error, the source stopped", err, seen, rej)
		}
		if n != 10 {
			t.Errorf("the writer was called %d times after its error; want it called no more", n-10)
		}
	})
	t.Run("SourceError", func(t *testing.T) {
		bad := errors.New("line 3: not JSON")
		_, err := portal.PipeRecords(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
			return nil, bad
		}, 8, prep, func(portal.Prepared[string]) error { return nil })
		if !errors.Is(err, bad) {
			t.Fatalf("err %v, want the source's", err)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		var seen error
		n := 0
		_, err := portal.PipeRecords(cctx, source(100000, &seen), 8, prep, func(portal.Prepared[string]) error {
			if n++; n == 5 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) || seen == nil {
			t.Fatalf("err %v, source saw %v; want both cancelled", err, seen)
		}
	})
}

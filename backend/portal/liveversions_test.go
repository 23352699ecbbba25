package portal_test

import (
	"errors"
	"strings"
	"testing"

	"portalstudio/backend/portal"
)

// TestNextLive: a write from a stale version is refused with the current
// document and never looks at the workspace; a current (or any) version
// gives the document at the next version, with what changed; an invalid
// document is EINVALID.
func TestNextLive(t *testing.T) {
	cur := portal.DefaultSettings()
	cur.Version = 4
	envCalls := 0
	env := func() (portal.Env, error) {
		envCalls++
		return readyEnv(), nil
	}
	next := portal.DefaultSettings()
	next.PreviewColumn = !cur.PreviewColumn
	doc := next.Canonical()

	t.Run("ErrStale", func(t *testing.T) {
		_, _, err := portal.NextLive(cur, doc, 3, "", env)
		var stale *portal.StaleError
		if !errors.As(err, &stale) || stale.Current != cur || portal.ErrorCode(err) != portal.EPRECONDITION || !strings.Contains(err.Error(), "at version 4, not 3") {
			t.Fatalf("stale write: %v", err)
		}
		if envCalls != 0 {
			t.Fatalf("a stale write read the workspace %d times", envCalls)
		}
	})
	t.Run("OK", func(t *testing.T) {
		for _, ifMatch := range []int{4, portal.AnyVersion} {
			st, summary, err := portal.NextLive(cur, doc, ifMatch, "", env)
			if err != nil || st.Version != 5 || st.PreviewColumn != next.PreviewColumn || summary != "changed preview_column" {
				t.Fatalf("If-Match %d: %+v %q %v", ifMatch, st, summary, err)
			}
		}
		_, summary, err := portal.NextLive(cur, cur.Canonical(), 4, "restored version 2", env)
		if err != nil || summary != "restored version 2: no change" {
			t.Fatalf("a restore of the same document: %q %v", summary, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, _, err := portal.NextLive(cur, []byte(`{"portal": {"enabled": "yes"}}`), 4, "", env)
		if portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("invalid document: %v", err)
		}
		boom := errors.New("the workspace is gone")
		if _, _, err := portal.NextLive(cur, doc, 4, "", func() (portal.Env, error) { return portal.Env{}, boom }); !errors.Is(err, boom) {
			t.Fatalf("the workspace's error: %v", err)
		}
	})
}

// TestPinnedLive: live settings naming another portal URL get a new
// version naming the pinned one; those naming none or the same need no
// write.
func TestPinnedLive(t *testing.T) {
	cur := portal.DefaultSettings()
	cur.Version = 2
	if next, _ := portal.PinnedLive(cur, firstURL); next != nil {
		t.Fatalf("no URL yet: %+v", next)
	}
	cur.Portal.URL = firstURL
	if next, _ := portal.PinnedLive(cur, firstURL); next != nil {
		t.Fatalf("the same URL: %+v", next)
	}
	next, summary := portal.PinnedLive(cur, otherURL)
	if next == nil || next.Version != 3 || next.Portal.URL != otherURL || cur.Portal.URL != firstURL || summary != "the portal URL set to the server's: changed portal.url" {
		t.Fatalf("another URL: %+v %q (cur %s)", next, summary, cur.Portal.URL)
	}
}

// TestChangeSummary names changed fields two levels deep, never the
// version.
func TestChangeSummary(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{`{"version": 1, "portal": {"enabled": true, "url": "x"}}`, `{"version": 2, "portal": {"enabled": false, "url": "x"}}`, "changed portal.enabled"},
		{`{"a": 1, "b": {"c": 1}}`, `{"a": 2, "b": {"c": 1, "d": 2}, "e": []}`, "changed a, b.d, e"},
		{`{"a": {"b": 1}}`, `{"a": 3}`, "changed a"},
		{`{"version": 1}`, `{"version": 9}`, "no change"},
		{`not json`, `{}`, "changed"},
	} {
		if got := portal.ChangeSummary([]byte(c.a), []byte(c.b)); got != c.want {
			t.Errorf("%s → %s: %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

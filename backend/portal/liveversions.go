package portal

import (
	"bytes"
	"encoding/json"
	"strings"
)

// This file holds what a write of the live settings decides, whatever
// the store: the If-Match check, the next version and the summary its
// history records. A store takes its write lock, reads the live settings
// as they are, asks NextLive (or PinnedLive), and writes what it answers
// in the same transaction.

// NextLive decides a write of the live settings from If-Match version
// ifMatch, given the live settings as they are under the store's write
// lock (cur). When ifMatch is neither AnyVersion nor cur's version it
// returns a *StaleError (EPRECONDITION) carrying cur, so the writer can
// merge; else doc validated against the workspace (env, called only
// then; EINVALID with every problem) at the next version, and the
// summary of what changed for the history, after note when there is one
// ("restored version 3: changed access.rule"). The document's own
// "version" is ignored.
func NextLive(cur *Settings, doc []byte, ifMatch int, note string, env func() (Env, error)) (*Settings, string, error) {
	if ifMatch != AnyVersion && ifMatch != cur.Version {
		return nil, "", &StaleError{Current: cur, Err: Errorf(EPRECONDITION,
			"the live settings are at version %d, not %d; merge your changes into version %d and send them again", cur.Version, ifMatch, cur.Version)}
	}
	e, err := env()
	if err != nil {
		return nil, "", err
	}
	st, err := ParseSettings(doc, e)
	if err != nil {
		return nil, "", err
	}
	st.Version = cur.Version + 1
	summary := ChangeSummary(cur.Canonical(), st.Canonical())
	if note != "" {
		summary = note + ": " + summary
	}
	return st, summary, nil
}

// PinnedLive decides what pinning the portal URL to url does to the live
// settings cur: when they name another URL, the next version naming url,
// with its history summary; else nil (nothing to write).
func PinnedLive(cur *Settings, url string) (next *Settings, summary string) {
	if cur.Portal.URL == "" || cur.Portal.URL == url {
		return nil, ""
	}
	n := *cur
	n.Portal.URL = url
	n.Version = cur.Version + 1
	return &n, "the portal URL set to the server's: changed portal.url"
}

// ChangeSummary names the fields that differ between two canonical
// settings documents, two levels deep ("changed portal.enabled,
// access.rule"); the version is not a change.
func ChangeSummary(prev, next []byte) string {
	var a, b map[string]any
	if json.Unmarshal(prev, &a) != nil || json.Unmarshal(next, &b) != nil {
		return "changed"
	}
	var changed []string
	for _, k := range UnionKeys(a, b) {
		if k == "version" || jsonEqual(a[k], b[k]) {
			continue
		}
		ao, aok := a[k].(map[string]any)
		bo, bok := b[k].(map[string]any)
		if !aok || !bok {
			changed = append(changed, k)
			continue
		}
		for _, kk := range UnionKeys(ao, bo) {
			if !jsonEqual(ao[kk], bo[kk]) {
				changed = append(changed, k+"."+kk)
			}
		}
	}
	if len(changed) == 0 {
		return "no change"
	}
	return "changed " + strings.Join(changed, ", ")
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

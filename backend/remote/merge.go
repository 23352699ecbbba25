package remote

import (
	"bytes"
	"encoding/json"
	"fmt"

	"portalstudio/backend/textdiff"
	"portalstudio/backend/wire"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
)

// Sides of a three-way merge, and the --take choices.
const (
	TakeDraft = "draft" // the local draft
	TakeLive  = "live"  // the server's live settings
)

// leafPaths are the parts of the settings document merged as one value,
// though they are objects or lists: a rule is one decision (two edits to
// the same rule conflict rather than mix into a rule no one wrote), and
// the Help Center's sections are one ordered list.
var leafPaths = map[string]bool{
	"access.rule":           true,
	"visibility.conditions": true,
	"help_center.sections":  true,
}

// absent stands for a key one side does not have.
type absent struct{}

// ThreeWay merges draft (the local edits) and live (the server's current
// settings) from their common base, field by field: objects merge by key;
// lists, scalars and the leafPaths are single values. A field changed on
// one side only takes that change; a field changed on both sides to the
// same value takes it; a field changed on both sides differently is a
// conflict, resolved by take (TakeDraft, TakeLive) or, when take is "",
// left unresolved (Merged is nil). The version is not merged.
func ThreeWay(base, live, draft *portal.Settings, take string) (*wire.SyncMerge, error) {
	if take != "" && take != TakeDraft && take != TakeLive {
		return nil, portal.Errorf(portal.EINVALID, "take must be draft or live, not %q", take)
	}
	b, l, d := plain(base), plain(live), plain(draft)
	m := &wire.SyncMerge{Changes: []wire.SyncChange{}, Conflicts: []wire.SyncConflict{},
		LiveDiff:  textdiff.Unified(string(b), string(l), fmt.Sprintf("base (version %d)", base.Version), fmt.Sprintf("live (version %d)", live.Version), 3),
		DraftDiff: textdiff.Unified(string(b), string(d), fmt.Sprintf("base (version %d)", base.Version), "draft", 3),
		// The merge knows no workspace schema: standard attributes take
		// their labels, custom ones their keys in words.
		LiveSummary:  nonNil(words.Changes(base, live, nil)),
		DraftSummary: nonNil(words.Changes(base, draft, nil)),
	}
	bv, lv, dv := decode(b), decode(l), decode(d)
	mg := merger{m: m, take: take}
	out := mg.merge("", bv, lv, dv)
	if len(m.Conflicts) > 0 && take == "" {
		return m, nil
	}
	doc, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	var st portal.Settings
	if err := st.UnmarshalJSON(doc); err != nil {
		return nil, fmt.Errorf("merge: the merged settings: %w", err)
	}
	m.Merged = &st
	return m, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// plain returns the canonical JSON of st without its version.
func plain(st *portal.Settings) []byte {
	c := *st
	c.Version = 0
	return c.Canonical()
}

func decode(b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		// Canonical JSON always decodes.
		panic("sync: decode canonical settings: " + err.Error())
	}
	return v
}

type merger struct {
	m    *wire.SyncMerge
	take string
}

func (mg *merger) merge(path string, b, l, d any) any {
	if same(l, d) {
		return l
	}
	bo, bok := b.(map[string]any)
	lo, lok := l.(map[string]any)
	do, dok := d.(map[string]any)
	if bok && lok && dok && !leafPaths[path] {
		out := map[string]any{}
		for _, k := range portal.UnionKeys(bo, lo, do) {
			if path == "" && k == "version" {
				continue
			}
			v := mg.merge(join(path, k), get(bo, k), get(lo, k), get(do, k))
			if _, gone := v.(absent); !gone {
				out[k] = v
			}
		}
		return out
	}
	switch {
	case same(b, l):
		mg.m.Changes = append(mg.m.Changes, wire.SyncChange{Path: path, Side: TakeDraft, From: raw(b), To: raw(d)})
		return d
	case same(b, d):
		mg.m.Changes = append(mg.m.Changes, wire.SyncChange{Path: path, Side: TakeLive, From: raw(b), To: raw(l)})
		return l
	}
	mg.m.Conflicts = append(mg.m.Conflicts, wire.SyncConflict{Path: path, Base: raw(b), Live: raw(l), Draft: raw(d)})
	if mg.take == TakeDraft {
		return d
	}
	return l
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func get(m map[string]any, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	return absent{}
}

// same reports whether two decoded JSON values are equal.
func same(a, b any) bool {
	_, aa := a.(absent)
	_, ba := b.(absent)
	if aa || ba {
		return aa && ba
	}
	return bytes.Equal(raw(a), raw(b))
}

// raw returns v as compact JSON; an absent value is null.
func raw(v any) json.RawMessage {
	if _, ok := v.(absent); ok {
		return json.RawMessage("null")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

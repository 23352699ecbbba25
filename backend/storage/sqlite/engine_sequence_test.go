package sqlite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// seqRequest is what TestEngineSequences asks of an engine: counts,
// first users and lists of rules (each minus another or not), and the
// impact of pairs of settings with pages of its groups.
type seqRequest struct {
	Workspace string
	Rules     []*portal.Rule
	Excepts   []*portal.Rule
	Pairs     [][2]*portal.Settings
}

// seqAnswer is what an engine (or portal.Eval) answers.
type seqAnswer struct {
	Counts []int
	Firsts [][]string // the first 3, workspace order
	Lists  [][]string // everyone, workspace order
	Impact []seqImpact
}

type seqImpact struct {
	Users         int
	Before, After portal.StateCounts
	Groups        map[string]int
	Pages         map[string][]string // 3 users from the second, workspace order
}

var impactGroups = []string{portal.GainAccess, portal.LoseAccess, portal.BecomeRestricted, portal.BecomeUnrestricted}

// answerWith answers req with an engine.
func answerWith(ctx context.Context, e *audience.Engine, s *portal.Schema, req *seqRequest) (*seqAnswer, error) {
	out := &seqAnswer{}
	for i, rule := range req.Rules {
		set, err := e.Set(ctx, rule, req.Excepts[i], s, t0)
		if err != nil {
			return nil, err
		}
		list, err := idsOf(e.Summaries(ctx, set, int(set.GetCardinality())))
		if err != nil {
			return nil, err
		}
		first, err := idsOf(e.AudienceFirst(ctx, rule, req.Excepts[i], s, t0, 3))
		if err != nil {
			return nil, err
		}
		out.Counts, out.Lists, out.Firsts = append(out.Counts, int(set.GetCardinality())), append(out.Lists, list), append(out.Firsts, first)
	}
	for _, p := range req.Pairs {
		im, err := e.Impact(ctx, p[0], p[1], s, t0)
		if err != nil {
			return nil, err
		}
		a := seqImpact{Users: im.Users, Before: im.Before, After: im.After, Groups: map[string]int{}, Pages: map[string][]string{}}
		for _, g := range impactGroups {
			a.Groups[g] = im.Count(g)
			users, err := e.ImpactUsers(ctx, im, g, 1, 3)
			if err != nil {
				return nil, err
			}
			for _, u := range users {
				a.Pages[g] = append(a.Pages[g], u.ID)
			}
		}
		out.Impact = append(out.Impact, a)
	}
	return out, nil
}

// answerWithGo answers req user by user with portal.Eval and
// portal.Decide, over the users in workspace order.
func answerWithGo(subjects []portal.Subject, s *portal.Schema, req *seqRequest) *seqAnswer {
	out := &seqAnswer{}
	for i, rule := range req.Rules {
		list := []string{}
		for _, sub := range subjects {
			if portal.Eval(rule, s, sub, t0) && !portal.Eval(req.Excepts[i], s, sub, t0) {
				list = append(list, sub.User.ID)
			}
		}
		out.Counts, out.Lists, out.Firsts = append(out.Counts, len(list)), append(out.Lists, list), append(out.Firsts, list[:min(3, len(list))])
	}
	state := func(d portal.Decision) string {
		switch {
		case !d.Access:
			return portal.StateNone
		case d.Restricted:
			return portal.StateOwn
		}
		return portal.StateAll
	}
	count := func(c *portal.StateCounts, st string) {
		switch st {
		case portal.StateNone:
			c.None++
		case portal.StateOwn:
			c.Own++
		default:
			c.All++
		}
	}
	for _, p := range req.Pairs {
		a := seqImpact{Users: len(subjects), Groups: map[string]int{}, Pages: map[string][]string{}}
		members := map[string][]string{}
		for _, sub := range subjects {
			b, f := state(portal.Decide(p[0], s, sub, t0)), state(portal.Decide(p[1], s, sub, t0))
			count(&a.Before, b)
			count(&a.After, f)
			var g string
			switch {
			case b == portal.StateNone && f != portal.StateNone:
				g = portal.GainAccess
			case b != portal.StateNone && f == portal.StateNone:
				g = portal.LoseAccess
			case b == portal.StateAll && f == portal.StateOwn:
				g = portal.BecomeRestricted
			case b == portal.StateOwn && f == portal.StateAll:
				g = portal.BecomeUnrestricted
			}
			if g != "" {
				members[g] = append(members[g], sub.User.ID)
			}
		}
		for _, g := range impactGroups {
			a.Groups[g] = len(members[g])
			if len(members[g]) > 1 {
				a.Pages[g] = members[g][1:min(4, len(members[g]))]
			}
		}
		out.Impact = append(out.Impact, a)
	}
	return out
}

// subjectsInOrder loads every user with their companies, in workspace
// order (the snapshot's).
func subjectsInOrder(t *testing.T, ws *sqlite.Workspace) []portal.Subject {
	t.Helper()
	ctx := context.Background()
	var subs []portal.Subject
	err := ws.Snapshot(ctx, func(portal.SnapshotHeader) error { return nil }, func(r portal.Record) error {
		if r.User == nil {
			return nil
		}
		u, err := ws.UserByID(ctx, r.User.ID)
		if err != nil {
			return err
		}
		sub, err := ws.Subject(ctx, u)
		subs = append(subs, sub)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return subs
}

// smallImport returns a few records of a random dataset: new and
// changed users and companies, over the same ids.
func smallImport(r *rand.Rand) []portal.Record {
	all := randomDataset(r, t0)
	var out []portal.Record
	for _, rec := range all[:2] { // the seeds keep the attribute kinds
		out = append(out, rec)
	}
	for _, i := range r.Perm(len(all) - 2)[:min(len(all)-2, 1+r.IntN(4))] {
		out = append(out, all[2+i])
	}
	return out
}

// TestEngineSequences proves that the engine gives exactly what Go
// evaluation gives, for counts, first users, whole lists, impact and
// impact pages, after random sequences of small imports (through this
// process, and through another handle as another process would),
// Replace imports (deletions) and settings changes: both a long-running
// engine kept in step in this process and a second process (this test
// binary run again, TestEngineChild) that reopens the workspace and the
// engine's data from disk.
func TestEngineSequences(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 61))
	ctx := context.Background()
	steps, changed, patched := 0, 0, 0
	for round := 0; round < 3; round++ {
		path := filepath.Join(t.TempDir(), "ws.db")
		ws := openAt(t, path, nil)
		MustImport(t, ws, randomDataset(r, t0)...)
		app := kept(t, ws)
		for step := 0; step < 6; step++ {
			op := r.IntN(5)
			switch op {
			case 0, 1:
				MustImport(t, ws, smallImport(r)...)
			case 2:
				MustImport(t, openAt(t, path, nil), smallImport(r)...)
			case 3:
				if _, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
					for _, rec := range randomDataset(r, t0) {
						if err := emit(rec); err != nil {
							return nil, err
						}
					}
					return nil, nil
				}, portal.ImportOptions{Replace: true}); err != nil {
					t.Fatal(err)
				}
			case 4:
				// A settings change: the live settings are the "before" of
				// the impacts below.
			}
			schema, err := ws.Schema(ctx)
			if err != nil {
				t.Fatal(err)
			}
			live := randomSettingsOf(r, schema)
			if err := ws.SetLive(ctx, live); err != nil {
				t.Fatal(err)
			}
			if live, err = ws.Live(ctx); err != nil {
				t.Fatal(err)
			}
			req := &seqRequest{Workspace: path}
			for i := 0; i < 8; i++ {
				req.Rules = append(req.Rules, randomRule(r, schema, 3))
				var except *portal.Rule
				if r.IntN(2) == 0 {
					except = randomRule(r, schema, 2)
				}
				req.Excepts = append(req.Excepts, except)
			}
			for i := 0; i < 3; i++ {
				req.Pairs = append(req.Pairs, [2]*portal.Settings{live, randomSettingsOf(r, schema)})
			}
			want := answerWithGo(subjectsInOrder(t, ws), schema, req)
			got, err := answerWith(ctx, app, schema, req)
			if err != nil {
				t.Fatalf("seed %d, round %d, step %d (op %d): the long-running engine: %v", seed, round, step, op, err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("seed %d, round %d, step %d (op %d): the long-running engine and Go disagree (-go +engine):\n%s", seed, round, step, op, d)
			}
			if st := app.Stats(); st.From == "changes" && st.Changed > 0 {
				patched++
			}
			child := askChild(t, req)
			if d := cmp.Diff(want, child); d != "" {
				t.Fatalf("seed %d, round %d, step %d (op %d): a second process and Go disagree (-go +child):\n%s", seed, round, step, op, d)
			}
			for _, im := range want.Impact {
				for _, n := range im.Groups {
					changed += n
				}
			}
			steps++
		}
	}
	t.Logf("%d steps agreed; %d impact changes; %d answered from the changes alone", steps, changed, patched)
	if changed == 0 || patched == 0 {
		t.Fatal("no impact changed any user, or no step caught up from the changes: the test proves too little")
	}
}

// randomSettingsOf returns random valid settings over the schema.
func randomSettingsOf(r *rand.Rand, s *portal.Schema) *portal.Settings {
	st := portal.DefaultSettings()
	st.IdentityVerification = true
	st.Portal.Enabled = r.IntN(6) > 0
	switch r.IntN(4) {
	case 0:
		st.Access.Rule = portal.Everyone()
	default:
		st.Access.Rule = randomRule(r, s, 2)
	}
	st.Visibility.RestrictToOwn = r.IntN(3) > 0
	if r.IntN(3) > 0 {
		st.Visibility.Conditions = randomRule(r, s, 2)
	}
	return st
}

// askChild runs TestEngineChild on req and returns its answer.
func askChild(t *testing.T, req *seqRequest) *seqAnswer {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "request.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestEngineChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PORTALSTUDIO_ENGINE_CHILD="+file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the second process: %v\n%s\n%s", err, out, stderr.String())
	}
	_, js, ok := bytes.Cut(out, []byte("ANSWER "))
	if !ok {
		t.Fatalf("the second process gave no answer:\n%s", out)
	}
	js, _, _ = bytes.Cut(js, []byte("\n"))
	var a seqAnswer
	if err := json.Unmarshal(js, &a); err != nil {
		t.Fatalf("the second process's answer: %v\n%s", err, js)
	}
	return &a
}

// TestEngineChild is the second process of TestEngineSequences (it does
// nothing unless started by it): it opens the workspace as a one-shot
// command does and answers the request.
func TestEngineChild(t *testing.T) {
	file := os.Getenv("PORTALSTUDIO_ENGINE_CHILD")
	if file == "" {
		t.Skip("started by TestEngineSequences only")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var req seqRequest
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ws := openAt(t, req.Workspace, nil)
	e := oneShot(t, ws, nil)
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err := answerWith(ctx, e, schema, &req)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.Write(append(append([]byte("ANSWER "), out...), '\n'))
}

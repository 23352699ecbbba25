package remote

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"portalstudio/backend/intercom"
	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// PullOptions tune a pull.
type PullOptions struct {
	// Data also replaces the local dataset with the server's snapshot.
	Data bool
	// Progress, when set, is told how many records of the snapshot were
	// imported, of how many.
	Progress func(done, total int)
}

// Pull fetches the server's live settings into the workspace's live copy
// and records where the server's portal is (its base URL and slug, from
// which portal URLs are made). A draft without local edits (equal to the
// previous live copy) follows the new live settings; a draft with edits is
// kept. With opt.Data the dataset is replaced by the server's snapshot,
// in one transaction (a cut or broken stream changes nothing).
func Pull(ctx context.Context, ws Local, c *Client, opt PullOptions) (*wire.PullResult, error) {
	info, err := c.Workspace(ctx)
	if err != nil {
		return nil, err
	}
	live, err := c.Live(ctx)
	if err != nil {
		return nil, err
	}
	res, err := pullSettings(ctx, ws, c.URL, live, info.BaseURL, info.Slug, info.PortalURL)
	if err != nil || !opt.Data {
		return res, err
	}
	rep, err := pullData(ctx, ws, c, opt.Progress)
	if err != nil {
		return res, err
	}
	res.Data = &rep
	return res, nil
}

// StoreSource is a workspace read from its store itself rather than
// through its server: a PostgreSQL database's workspace, moved back to a
// workspace file (PullStore).
type StoreSource interface {
	// Live returns the live settings.
	Live(ctx context.Context) (*portal.Settings, error)
	// ServerAddress returns the base URL and slug its servers recorded.
	ServerAddress(ctx context.Context) (baseURL, slug string, err error)
	portal.Snapshotter
	// Location names it for people (no password).
	Location() string
}

// PullStore is Pull from a workspace's store instead of its server (the
// same live settings, draft rule, address and, with opt.Data, dataset
// snapshot in one transaction): how a workspace moves back from a
// PostgreSQL database to a workspace file without a server running.
func PullStore(ctx context.Context, ws Local, src StoreSource, opt PullOptions) (*wire.PullResult, error) {
	live, err := src.Live(ctx)
	if err != nil {
		return nil, err
	}
	base, slug, err := src.ServerAddress(ctx)
	if err != nil {
		return nil, err
	}
	portalURL := live.Portal.URL
	if portalURL == "" && base != "" && slug != "" {
		portalURL = strings.TrimSuffix(base, "/") + "/portal/" + slug + "/"
	}
	res, err := pullSettings(ctx, ws, src.Location(), live, base, slug, portalURL)
	if err != nil || !opt.Data {
		return res, err
	}
	rep, err := copySnapshot(ctx, ws, src, opt.Progress)
	if err != nil {
		return res, err
	}
	res.Data = &rep
	return res, nil
}

// pullSettings records the pulled live settings (and the address) in
// ws: a draft without local edits follows them, one with edits is kept
// (with the server's portal URL).
func pullSettings(ctx context.Context, ws Local, from string, live *portal.Settings, baseURL, slug, portalURL string) (*wire.PullResult, error) {
	old, err := ws.Live(ctx)
	if err != nil {
		return nil, err
	}
	draft, err := ws.Draft(ctx)
	if err != nil {
		return nil, err
	}
	res := &wire.PullResult{Server: from, PreviousVersion: old.Version, LiveVersion: live.Version, PortalURL: portalURL}
	if err := ws.SetServer(ctx, baseURL, slug); err != nil {
		return nil, err
	}
	var newDraft *portal.Settings
	if draft.Equal(old) || draft.Equal(live) {
		newDraft = live
		res.DraftFollowed = true
	} else {
		res.DraftKept = true
	}
	if err := ws.SetSynced(ctx, live, newDraft); err != nil {
		return nil, err
	}
	if err := adoptPortalURL(ctx, ws, draft, live, res.DraftKept); err != nil {
		return res, err
	}
	return res, nil
}

// copySnapshot replaces the workspace's dataset with src's snapshot, in
// one transaction of ws (read in one snapshot of src).
func copySnapshot(ctx context.Context, ws Local, src portal.Snapshotter, progress func(done, total int)) (portal.ImportReport, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	headers := make(chan portal.SnapshotHeader, 1)
	recs := make(chan portal.Record, 1024)
	snapErr := make(chan error, 1)
	go func() {
		defer close(recs)
		err := src.Snapshot(ctx, func(h portal.SnapshotHeader) error {
			headers <- h
			return nil
		}, func(r portal.Record) error {
			select {
			case recs <- r:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		close(headers)
		snapErr <- err
	}()
	h, ok := <-headers
	if !ok {
		return portal.ImportReport{}, <-snapErr
	}
	total := h.Counts.Users + h.Counts.Companies + h.Counts.Tickets
	opt := portal.ImportOptions{Replace: true, Strict: true, Attributes: h.Attributes, TicketTypes: h.TicketTypes}
	if progress != nil {
		progress(0, total)
		opt.Progress = func(n int) { progress(n, total) }
	}
	rep, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for r := range recs {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		return nil, <-snapErr
	}, opt)
	if err != nil {
		return rep, err
	}
	if progress != nil {
		progress(total, total)
	}
	return rep, nil
}

// adoptPortalURL gives a kept draft the server's portal URL: the URL is
// the server's to make (it answers there), so a draft made on the desktop
// must not go on showing another one. The draft keeps its base version
// and every other edit.
func adoptPortalURL(ctx context.Context, ws Local, draft, live *portal.Settings, kept bool) error {
	if !kept || live.Portal.URL == "" || draft.Portal.URL == "" || draft.Portal.URL == live.Portal.URL {
		return nil
	}
	d := draft.Clone()
	d.Portal.URL = live.Portal.URL
	_, err := ws.ApplyDraft(ctx, d.Canonical())
	return err
}

// pullData replaces the workspace's dataset with the server's snapshot.
func pullData(ctx context.Context, ws Local, c *Client, progress func(done, total int)) (portal.ImportReport, error) {
	body, err := c.Snapshot(ctx)
	if err != nil {
		return portal.ImportReport{}, err
	}
	defer body.Close()
	br := bufio.NewReaderSize(body, 1<<20)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return portal.ImportReport{}, portal.Errorf(portal.EINVALID, "the server's snapshot ended before its first line (%v); nothing was changed", err)
	}
	var h wire.SnapshotHeader
	if err := json.Unmarshal(line, &h); err != nil || h.Type != wire.SnapshotType {
		return portal.ImportReport{}, portal.Errorf(portal.EINVALID, "the server's answer is not a Portal Studio snapshot; nothing was changed")
	}
	if h.Format != wire.SnapshotFormat {
		return portal.ImportReport{}, portal.Errorf(portal.EINVALID, "the server's snapshot has format %d and this build reads %d; use the same Portal Studio version on both sides", h.Format, wire.SnapshotFormat)
	}
	total := h.Counts.Users + h.Counts.Companies + h.Counts.Tickets
	got := map[string]int{}
	opt := portal.ImportOptions{Replace: true, Strict: true, Attributes: h.Attributes, TicketTypes: h.TicketTypes}
	if progress != nil {
		progress(0, total)
		opt.Progress = func(n int) { progress(n, total) }
	}
	rep, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		rej, err := intercom.Read("snapshot", br, func(r portal.Record) error {
			got[r.Kind()]++
			return emit(r)
		})
		if err != nil {
			return rej, fmt.Errorf("the snapshot: %w", err)
		}
		if got["contact"] != h.Counts.Users || got["company"] != h.Counts.Companies || got["ticket"] != h.Counts.Tickets {
			return rej, portal.Errorf(portal.EINVALID, "the snapshot was cut short (%d of %d records arrived); nothing was changed, pull again",
				got["contact"]+got["company"]+got["ticket"], total)
		}
		return rej, nil
	}, opt)
	if err != nil {
		return rep, err
	}
	if progress != nil {
		progress(total, total)
	}
	return rep, nil
}

// PushOptions tune a push.
type PushOptions struct {
	// Take resolves every conflict of a merge: TakeDraft or TakeLive. ""
	// refuses a push with conflicts.
	Take string
	// Check runs the workspace's portal tests against a document about to
	// be sent (the draft, or its merge with the server's settings) before
	// every send. A report with failures refuses the push (EPRECONDITION,
	// the report in wire.PushResult.Checks) and nothing is sent, unless
	// OverrideChecks.
	Check func(ctx context.Context, st *portal.Settings) (*wire.CheckReport, error)
	// OverrideChecks pushes even when portal tests fail; the failures are
	// still reported.
	OverrideChecks bool
}

// maxPushAttempts bounds the merges of one push when the server keeps
// moving.
const maxPushAttempts = 3

// Push sends the draft to the server with If-Match of the live version
// it is based on. When the server moved on it never overwrites: it merges
// the draft and the server's live settings from their common base (the
// server's copy of that version), takes what only one side changed, and
// resolves conflicts by opt.Take; without it a push with conflicts is
// refused (ECONFLICT, with the merge in the result) and nothing changes,
// here or there. On success the new live settings become the live copy
// and the draft.
func Push(ctx context.Context, ws Local, c *Client, opt PushOptions) (*wire.PushResult, error) {
	if opt.Take != "" && opt.Take != TakeDraft && opt.Take != TakeLive {
		return nil, portal.Errorf(portal.EINVALID, "--take must be draft or live, not %q", opt.Take)
	}
	draft, err := ws.Draft(ctx)
	if err != nil {
		return nil, err
	}
	local, err := ws.Live(ctx)
	if err != nil {
		return nil, err
	}
	res := &wire.PushResult{Server: c.URL, BaseVersion: draft.Version}
	base := local
	if local.Version != draft.Version {
		// The live copy moved on (a pull kept the draft): the base is the
		// server's copy of the version the draft was made from.
		if base, err = c.Version(ctx, draft.Version); err != nil {
			return nil, fmt.Errorf("the version %d the draft is based on: %w", draft.Version, err)
		}
	}
	if draft.Equal(base) && local.Version == draft.Version {
		res.NothingToPush = true
		return res, nil
	}
	mine := draft.Clone()
	for attempt := 0; ; attempt++ {
		// The portal URL is the server's to make: send the one of the
		// version replaced (or none, for the server to generate).
		mine.Portal.URL = base.Portal.URL
		if err := runChecks(ctx, opt, mine, res); err != nil {
			return res, err
		}
		st, err := c.Put(ctx, mine, base.Version)
		var stale *portal.StaleError
		switch {
		case err == nil:
			if err := ws.SetSynced(ctx, st, st); err != nil {
				return res, err
			}
			res.Pushed, res.Version = true, st.Version
			return res, nil
		case !errors.As(err, &stale):
			return res, err
		case attempt+1 >= maxPushAttempts:
			return res, portal.Errorf(portal.ECONFLICT, "the server's settings changed %d times while pushing; nothing was overwritten, try again", maxPushAttempts)
		}
		theirs := stale.Current
		m, err := ThreeWay(base, theirs, mine, opt.Take)
		if err != nil {
			return res, err
		}
		res.Merge, res.LiveVersion = m, theirs.Version
		if m.Merged == nil {
			paths := make([]string, len(m.Conflicts))
			for i, c := range m.Conflicts {
				paths[i] = c.Path
			}
			return res, portal.Errorf(portal.ECONFLICT, "the live settings changed on the server (version %d) where your draft changed them too: %s; nothing was changed: choose with --take draft or --take live",
				theirs.Version, strings.Join(paths, ", "))
		}
		if m.Merged.Equal(theirs) {
			// Everything the draft changed is live already.
			if err := ws.SetSynced(ctx, theirs, theirs); err != nil {
				return res, err
			}
			res.Version = theirs.Version
			return res, nil
		}
		base, mine = theirs, m.Merged
	}
}

// runChecks runs the portal tests on a document about to be sent, and
// refuses it when one fails (unless overridden).
func runChecks(ctx context.Context, opt PushOptions, st *portal.Settings, res *wire.PushResult) error {
	if opt.Check == nil {
		return nil
	}
	rep, err := opt.Check(ctx, st)
	if err != nil {
		return fmt.Errorf("portal tests: %w", err)
	}
	res.Checks = rep
	if rep.Failed == 0 {
		return nil
	}
	if opt.OverrideChecks {
		res.ChecksOverridden = true
		return nil
	}
	var names []string
	for _, o := range rep.Failures() {
		names = append(names, fmt.Sprintf("%q (%s)", o.Text, strings.TrimSuffix(o.Message, ".")))
	}
	return portal.Errorf(portal.EPRECONDITION, "%d of %d portal tests fail against the settings to push, so nothing was pushed: %s. Fix the draft or the tests, or push anyway with --override-checks",
		rep.Failed, len(rep.Results), strings.Join(names, "; "))
}

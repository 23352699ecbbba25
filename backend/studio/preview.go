package studio

import (
	"context"
	"strings"
	"time"

	"portalstudio/backend/wire"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
)

// Preview shows the portal exactly as a user sees it under the draft (or
// live) settings: access, restriction, tabs and one page of the tab's
// tickets, each decision with its reason.
func (s *Service) Preview(ctx context.Context, req wire.PreviewRequest) (*wire.PreviewResult, error) {
	ctx = portal.BeginReads(ctx) // its reads share one check of the store's cache
	u, err := s.Store.FindUser(ctx, req.User)
	if err != nil {
		return nil, err
	}
	return s.previewUser(ctx, u, nil, req, true)
}

// PreviewUser is Preview for a user already found (req.User is not read),
// without the decision said in sentences: the portal server calls it for
// the user an identity token names, and never shows the reasons.
func (s *Service) PreviewUser(ctx context.Context, u *portal.User, req wire.PreviewRequest) (*wire.PreviewResult, error) {
	return s.previewUser(ctx, u, nil, req, false)
}

// PreviewUserWith is PreviewUser with what the caller prefetched for the
// request (pre, when not nil: the user's companies, the live settings and
// the schema, read with the user; portal.Prefetcher), used instead of
// reading them again when req asks for the live settings.
func (s *Service) PreviewUserWith(ctx context.Context, u *portal.User, pre *portal.Prefetched, req wire.PreviewRequest) (*wire.PreviewResult, error) {
	return s.previewUser(ctx, u, pre, req, false)
}

func (s *Service) previewUser(ctx context.Context, u *portal.User, pre *portal.Prefetched, req wire.PreviewRequest, say bool) (*wire.PreviewResult, error) {
	if err := req.TicketFilter.Validate(); err != nil {
		return nil, err
	}
	dc, err := s.decideWith(ctx, req.Settings, u, pre, req.Now)
	if err != nil {
		return nil, err
	}
	st, d, sub, now := dc.st, dc.d, dc.sub, dc.now
	var sentences decisionWords
	if say {
		sentences = sayDecision(st, &d, dc.schema)
	}
	res := &wire.PreviewResult{
		User:               userInfo(u, sub),
		Settings:           req.Settings,
		Access:             d.Access,
		AccessReason:       d.AccessReason,
		Restricted:         d.Restricted,
		RestrictedReason:   d.RestrictedReason,
		AccessSentence:     sentences.access,
		RestrictedSentence: sentences.restricted,
		Tabs:               d.Tabs,
		Tickets:            []wire.TicketView{},
		Filter:             req.TicketFilter,
		Facets:             wire.FacetsOf(portal.NewFacets()),
		Decision:           d,
	}
	if res.Settings == "" {
		res.Settings = Draft
	}
	if !d.Access {
		if req.Tab != "" && req.Tab != portal.TabAll && req.Tab != portal.TabMine {
			return nil, portal.Errorf(portal.EINVALID, "unknown tab %q; use all or mine", req.Tab)
		}
		return res, nil
	}
	tab := req.Tab
	if tab == "" {
		tab = d.Tabs[0]
	}
	if tab != portal.TabAll && tab != portal.TabMine {
		return nil, portal.Errorf(portal.EINVALID, "unknown tab %q; use all or mine", tab)
	}
	if !d.HasTab(tab) {
		return nil, portal.Errorf(portal.EINVALID, "%s is restricted to their own tickets and has no All tab; use --tab mine", displayName(u))
	}
	res.Tab = tab
	if strings.TrimSpace(req.Search) != "" {
		return res, s.search(ctx, st, u, tab, req, now, res)
	}
	page, err := s.Store.Tickets(ctx, portal.TicketQuery{UserID: u.ID, CompanyIDs: u.CompanyIDs, Tab: tab, Cursor: req.Cursor, Limit: req.Limit,
		TicketFilter: req.TicketFilter})
	if err != nil {
		return nil, err
	}
	res.Total, res.Next, res.Facets = page.Total, page.Next, wire.FacetsOf(page.Facets)
	res.Tickets, err = s.viewsNamed(ctx, page.Tickets, page.CreatorNames)
	return res, err
}

// decisionWords are a decision's reasons in sentences.
type decisionWords struct{ access, restricted string }

// sayDecision says decision d (made under st) in sentences with the
// schema's labels, and fills the sentence of every node of its traces.
func sayDecision(st *portal.Settings, d *portal.Decision, schema *portal.Schema) decisionWords {
	*d = words.Decision(*d, schema)
	return decisionWords{access: words.Access(st, *d, schema), restricted: words.Restriction(st, *d, schema)}
}

// decided is a decision for a user with what it was made from: the
// settings, the user with their companies, the schema and the time.
type decided struct {
	st     *portal.Settings
	d      portal.Decision
	sub    portal.Subject
	schema *portal.Schema
	now    time.Time
}

// decideFor decides for u under the draft or live settings at now (the
// current time when zero), and returns what it used.
func (s *Service) decideFor(ctx context.Context, which string, u *portal.User, now time.Time) (decided, error) {
	return s.decideWith(ctx, which, u, nil, now)
}

// decideWith is decideFor with what was prefetched for u (pre, when not
// nil and u is its user): under the live settings, its settings, schema
// and companies instead of reading them again.
func (s *Service) decideWith(ctx context.Context, which string, u *portal.User, pre *portal.Prefetched, now time.Time) (decided, error) {
	if now.IsZero() {
		now = s.Now()
	}
	if pre != nil && which == Live && pre.User == u && pre.Live != nil && pre.Schema != nil {
		return decided{st: pre.Live, d: portal.Decide(pre.Live, pre.Schema, pre.Subject, now), sub: pre.Subject, schema: pre.Schema, now: now}, nil
	}
	st, err := s.settings(ctx, which)
	if err != nil {
		return decided{now: now}, err
	}
	return s.decideUnder(ctx, st, u, now)
}

// decide loads the user's companies and decides under st.
func (s *Service) decide(ctx context.Context, st *portal.Settings, u *portal.User, now time.Time) (portal.Decision, portal.Subject, error) {
	dc, err := s.decideUnder(ctx, st, u, now)
	return dc.d, dc.sub, err
}

// decideUnder reads the schema and the user's companies and decides
// under st.
func (s *Service) decideUnder(ctx context.Context, st *portal.Settings, u *portal.User, now time.Time) (decided, error) {
	dc := decided{st: st, now: now}
	var err error
	if dc.schema, err = s.Store.Schema(ctx); err != nil {
		return dc, err
	}
	if dc.sub, err = s.Store.Subject(ctx, u); err != nil {
		return dc, err
	}
	dc.d = portal.Decide(st, dc.schema, dc.sub, now)
	return dc, nil
}

func (s *Service) views(ctx context.Context, ts []portal.Ticket) ([]wire.TicketView, error) {
	return s.viewsNamed(ctx, ts, nil)
}

// viewsNamed is views with the creators' names when the store read them
// with the page (names not nil: portal.TicketPage.CreatorNames).
func (s *Service) viewsNamed(ctx context.Context, ts []portal.Ticket, names map[string]string) ([]wire.TicketView, error) {
	if names == nil {
		ids := make([]string, 0, len(ts))
		for i := range ts {
			ids = append(ids, ts[i].CreatorID())
		}
		var err error
		if names, err = s.Store.UserNames(ctx, ids); err != nil {
			return nil, err
		}
	}
	out := make([]wire.TicketView, len(ts))
	for i, t := range ts {
		out[i] = wire.TicketView{ID: t.ID, TicketID: t.TicketID, Title: t.Title, State: t.StateLabel, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, CreatedBy: names[t.CreatorID()]}
	}
	return out, nil
}

func userInfo(u *portal.User, sub portal.Subject) wire.UserInfo {
	info := wire.UserInfo{ID: u.ID, ExternalID: u.ExternalID, Email: u.Email, Name: u.Name, Companies: []wire.CompanyInfo{}}
	names := map[string]string{}
	for _, c := range sub.Companies {
		names[c.ID] = c.Name
	}
	for _, id := range u.CompanyIDs {
		info.Companies = append(info.Companies, wire.CompanyInfo{ID: id, Name: names[id]})
	}
	return info
}

func displayName(u *portal.User) string {
	switch {
	case u.Name != "":
		return u.Name
	case u.Email != "":
		return u.Email
	}
	return u.ID
}

// MessengerTickets returns the first limit tickets of the Messenger's
// tickets space for u, newest first, and how many there are: the shared
// Customer tickets u created. The portal's access rule and ticket
// visibility do not apply to the Messenger (the setup guide: "It has no
// effect on the Messenger or the tickets displayed within the Messenger
// space"), and a user's own tickets are theirs to see.
func (s *Service) MessengerTickets(ctx context.Context, u *portal.User, limit int) ([]wire.TicketView, int, error) {
	page, err := s.Store.Tickets(ctx, portal.TicketQuery{UserID: u.ID, Tab: portal.TabMine, Limit: limit})
	if err != nil {
		return nil, 0, err
	}
	views, err := s.views(ctx, page.Tickets)
	return views, page.Total, err
}

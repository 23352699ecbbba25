package studio

import (
	"context"

	"portalstudio/backend/wire"

	"portalstudio/backend/portal"
)

// Ticket returns a ticket's page as the user sees it: its customer-visible
// parts only (never notes) and the state's external label. A ticket the
// user may not see answers ENOTFOUND, exactly like one that does not
// exist.
func (s *Service) Ticket(ctx context.Context, req wire.TicketRequest) (*wire.TicketDetail, error) {
	ctx = portal.BeginReads(ctx) // its reads share one check of the store's cache
	u, err := s.Store.FindUser(ctx, req.User)
	if err != nil {
		return nil, err
	}
	return s.TicketFor(ctx, u, req)
}

// TicketFor is Ticket for a user already found (req.User is not read).
func (s *Service) TicketFor(ctx context.Context, u *portal.User, req wire.TicketRequest) (*wire.TicketDetail, error) {
	return s.TicketForWith(ctx, u, nil, req)
}

// TicketForWith is TicketFor with what the caller prefetched for the
// request (see PreviewUserWith).
func (s *Service) TicketForWith(ctx context.Context, u *portal.User, pre *portal.Prefetched, req wire.TicketRequest) (*wire.TicketDetail, error) {
	dc, err := s.decideWith(ctx, req.Settings, u, pre, req.Now)
	if err != nil {
		return nil, err
	}
	d, now := dc.d, dc.now
	notFound := portal.Errorf(portal.ENOTFOUND, "ticket %s not found", req.TicketID)
	byNumber := false
	switch req.By {
	case "", "id":
	case "number":
		byNumber = true
	default:
		return nil, portal.Errorf(portal.EINVALID, "by must be id or number, not %q.", req.By)
	}
	if !d.Access || req.TicketID == "" {
		return nil, notFound
	}
	// The address names a ticket by id or by the number customers see:
	// both are looked up every time, and the first the user may see wins
	// (the id's when both are theirs, the number's when asked by number),
	// so that another company's ticket whose id is a number never hides
	// the user's own ticket of that number, and the time taken says
	// little about what exists.
	cands, err := s.Store.TicketsByKey(ctx, req.TicketID)
	if err != nil {
		return nil, err
	}
	id := ""
	for i := range cands {
		if !portal.CanSee(d, u.ID, u.CompanyIDs, &cands[i], "") {
			continue
		}
		if id == "" || byNumber && cands[i].TicketID == req.TicketID {
			id = cands[i].ID
		}
	}
	if id == "" {
		return nil, notFound
	}
	t, err := s.Store.Ticket(ctx, id)
	if err != nil {
		if portal.ErrorCode(err) == portal.ENOTFOUND {
			return nil, notFound
		}
		return nil, err
	}
	if !portal.CanSee(d, u.ID, u.CompanyIDs, t, "") {
		// Changed since the lookup: hidden like any other.
		return nil, notFound
	}
	views, err := s.views(ctx, []portal.Ticket{*t})
	if err != nil {
		return nil, err
	}
	out := &wire.TicketDetail{TicketView: views[0], Description: t.Description, Open: t.Open, TypeName: t.TypeName, Parts: []wire.PartView{}}
	for _, p := range portal.VisibleParts(t) {
		out.Parts = append(out.Parts, wire.PartView{ID: p.ID, Author: p.AuthorName, AuthorType: p.AuthorType,
			Body: portal.PlainText(p.Body), CreatedAt: p.CreatedAt, Ago: portal.Ago(p.CreatedAt, now)})
	}
	return out, nil
}

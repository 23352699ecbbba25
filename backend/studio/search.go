package studio

import (
	"context"
	"strings"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// maxQueryLen bounds a search query; longer ones are cut, never refused.
const maxQueryLen = 1000

// search fills res with one page of the user's search on tab: the
// matching tickets, best first, each with its Preview column (the best
// snippet, its author and how long ago) when the settings show it.
func (s *Service) search(ctx context.Context, st *portal.Settings, u *portal.User, tab string, req wire.PreviewRequest, now time.Time, res *wire.PreviewResult) error {
	q := req.Search
	if len(q) > maxQueryLen {
		q = q[:maxQueryLen]
	}
	res.Search = strings.TrimSpace(req.Search)
	terms := portal.SearchTerms(q)
	page, err := s.Store.Search(ctx, portal.SearchQuery{UserID: u.ID, CompanyIDs: u.CompanyIDs, Tab: tab, Terms: terms,
		Number: portal.TicketNumber(q), Cursor: req.Cursor, Limit: req.Limit, TicketFilter: req.TicketFilter})
	if err != nil {
		return err
	}
	res.Total, res.Next, res.Facets = page.Total, page.Next, wire.FacetsOf(page.Facets)
	tickets := make([]portal.Ticket, 0, len(page.IDs))
	for _, id := range page.IDs {
		t, err := s.Store.Ticket(ctx, id)
		if err != nil {
			return err
		}
		tickets = append(tickets, *t)
	}
	views, err := s.views(ctx, tickets)
	if err != nil {
		return err
	}
	if st.PreviewColumn {
		for i := range tickets {
			views[i].Preview = Preview(&tickets[i], views[i].CreatedBy, terms, now)
		}
	}
	res.Tickets = views
	return nil
}

// Preview returns the Preview column of a search result: the snippet of
// the ticket's best-matching text with the terms marked, its author (the
// creator for the title and description) and how long ago it was written.
func Preview(t *portal.Ticket, creatorName string, terms []string, now time.Time) *wire.Snippet {
	srcs := portal.SearchSources(t, creatorName)
	best := portal.BestSource(srcs, terms)
	if best < 0 {
		best = 0
	}
	src := srcs[best]
	return &wire.Snippet{
		Snippet: portal.Highlight(src.Text, terms, portal.SnippetMax),
		Author:  src.Author,
		Ago:     portal.Ago(src.At, now),
	}
}

package listpage

import (
	"slices"

	"portalstudio/backend/portal"
)

// Cell is a group of a list's tickets: their state category, type id and
// whether the filter's creation dates keep them. A store counts its
// tickets per cell (a grouped query, or its search hits); Facets makes
// the facets and the total from the counts.
type Cell struct {
	State, Type string
	Dated       bool
}

// Cells counts a list's tickets per cell.
type Cells map[Cell]int

// AddGroup adds a group of n tickets of a state and type, kept of which
// the dates keep.
func (c Cells) AddGroup(state, typ string, n, kept int) {
	c[Cell{state, typ, true}] += kept
	c[Cell{state, typ, false}] += n - kept
}

// TypeIDs returns the type ids of the tickets counted (each once): the
// types the facets list, whose names a store looks up.
func (c Cells) TypeIDs() []string {
	var ids []string
	seen := map[string]bool{}
	for cell, n := range c {
		if n != 0 && cell.Type != "" && !seen[cell.Type] {
			seen[cell.Type] = true
			ids = append(ids, cell.Type)
		}
	}
	slices.Sort(ids)
	return ids
}

// Facets returns the facets of a list's cells under the filter, each
// facet with the other filters applied (portal.Facets says how), and how
// many tickets the whole filter keeps. names are the workspace's names of
// the types (TypeIDs); a type it does not name is named "".
func (c Cells) Facets(f portal.TicketFilter, names map[string]string) (portal.Facets, int) {
	fc := portal.NewFacets()
	total := 0
	counts := map[string]int{}
	for cell, n := range c {
		if n == 0 {
			continue
		}
		stateOK := len(f.State) == 0 || slices.Contains(f.State, cell.State)
		typeOK := len(f.Types) == 0 || slices.Contains(f.Types, cell.Type)
		if cell.Type != "" {
			counts[cell.Type] += 0 // every type of the tab is listed
		}
		if !cell.Dated {
			continue
		}
		if stateOK && typeOK {
			total += n
		}
		if _, ok := fc.State[cell.State]; ok && typeOK {
			fc.State[cell.State] += n
		}
		if stateOK && cell.Type != "" {
			counts[cell.Type] += n
		}
	}
	for id, n := range counts {
		fc.Types = append(fc.Types, portal.TypeCount{ID: id, Name: names[id], Count: n})
	}
	fc.SortTypes()
	return fc, total
}

// Hit is a ticket a search matched (or the ticket its number names): its
// id, its score (higher is better; a store turns its own measure so),
// its sort keys, state category and type, and whether it is the ticket
// numbered by the query.
type Hit struct {
	ID               string
	Score            float64
	Updated, Created int64
	State, Type      string
	Number           bool
}

// SearchResults is a search's matches, before the filter, the order and
// the page.
type SearchResults struct {
	hits  []Hit
	cells Cells
	f     portal.TicketFilter
}

// Filter applies the filter to a search's matches: it keeps the ones it
// keeps, and counts them all per cell for the facets (Cells).
func Filter(hits []Hit, f portal.TicketFilter) SearchResults {
	after, before := Dates(f)
	r := SearchResults{cells: Cells{}, f: f, hits: make([]Hit, 0, len(hits))}
	for _, h := range hits {
		c := Cell{State: h.State, Type: h.Type, Dated: h.Created >= after && h.Created < before}
		r.cells[c]++
		if c.Dated && (len(f.State) == 0 || slices.Contains(f.State, h.State)) && (len(f.Types) == 0 || slices.Contains(f.Types, h.Type)) {
			r.hits = append(r.hits, h)
		}
	}
	return r
}

// Cells returns the matches' counts per cell, for the facets.
func (r SearchResults) Cells() Cells { return r.cells }

// Page returns the page of the filtered matches that the cursor names
// (see DecodeOffset) with up to limit ids: the numbered ticket first;
// then, without a sort, best first (the higher score), then newer, then
// the greater id; with a sort, its key then the id, both in the order's
// direction. Facets and Total are left to the caller (Cells().Facets).
func (r SearchResults) Page(offset, limit int) portal.SearchPage {
	f := r.f
	slices.SortFunc(r.hits, func(a, b Hit) int {
		if a.Number != b.Number {
			if a.Number {
				return -1
			}
			return 1
		}
		if f.Sort == "" {
			switch {
			case a.Score > b.Score:
				return -1
			case a.Score < b.Score:
				return 1
			}
			return -compare(Key{a.Updated, a.ID}, Key{b.Updated, b.ID})
		}
		ak, bk := Key{a.Updated, a.ID}, Key{b.Updated, b.ID}
		if f.Sort == portal.SortCreated {
			ak.Key, bk.Key = a.Created, b.Created
		}
		if f.Ascending() {
			return compare(ak, bk)
		}
		return -compare(ak, bk)
	})
	page := portal.SearchPage{IDs: []string{}, Total: len(r.hits)}
	for i := offset; i < len(r.hits) && len(page.IDs) < limit; i++ {
		page.IDs = append(page.IDs, r.hits[i].ID)
	}
	if offset+len(page.IDs) < page.Total {
		page.Next = EncodeOffset(offset+len(page.IDs), f)
	}
	return page
}

package studio_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// The desktop bindings hand Preview a request decoded from the UI's JSON:
// the filter under the portal API's names, checked like the API's query
// parameters.
func TestPreviewFilter(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	t.Run("OK", func(t *testing.T) {
		var req wire.PreviewRequest
		if err := json.Unmarshal([]byte(`{"user": "ann@examply.com", "state": ["submitted", "resolved"], "type": ["ty"], "sort": "created", "order": "asc"}`), &req); err != nil {
			t.Fatal(err)
		}
		res, err := svc.Preview(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		// The tickets have no state category: none is kept, and the
		// facets count them in no state but under their type.
		if res.Total != 0 || len(res.Tickets) != 0 || res.Facets.State[portal.StateSubmitted] != 0 ||
			len(res.Facets.Type) != 1 || res.Facets.Type[0] != (wire.TypeFacet{ID: "ty", Name: "Bug", Count: 0}) ||
			res.Filter.Sort != portal.SortCreated || res.Filter.Order != portal.OrderAsc {
			t.Fatalf("preview %+v", res)
		}
		res, err = svc.Preview(ctx, wire.PreviewRequest{User: "ann@examply.com", TicketFilter: portal.TicketFilter{Types: []string{"ty"}, Order: portal.OrderAsc}})
		if err != nil || res.Total != 2 || res.Tickets[0].ID != "t1" || res.Facets.Type[0].Count != 2 {
			t.Fatalf("preview %+v, %v", res, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for param, f := range map[string]portal.TicketFilter{
			"state": {State: []string{"open"}},
			"type":  {Types: []string{""}},
			"sort":  {Sort: "title"},
			"order": {Order: "up"},
		} {
			_, err := svc.Preview(ctx, wire.PreviewRequest{User: "ann@examply.com", TicketFilter: f})
			if portal.ErrorCode(err) != portal.EINVALID || !strings.HasPrefix(err.Error(), param+" ") {
				t.Fatalf("%+v: %v, want EINVALID naming %s", f, err, param)
			}
		}
	})
}

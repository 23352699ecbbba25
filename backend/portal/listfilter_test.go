package portal_test

import (
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
)

func TestParseTicketFilter(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	t.Run("OK", func(t *testing.T) {
		for _, tc := range []struct {
			query string
			want  portal.TicketFilter
		}{
			{"", portal.TicketFilter{}},
			{"state=resolved,in_progress&state=resolved", portal.TicketFilter{State: []string{"resolved", "in_progress"}}},
			{"type=95,+96+,,95", portal.TicketFilter{Types: []string{"95", "96"}}},
			{"created_after=2024-05-01&created_before=2024-06-01", portal.TicketFilter{CreatedAfter: day("2024-05-01"), CreatedBefore: day("2024-06-01")}},
			{"created_after=2024-05-01T09:30:00%2B02:00", portal.TicketFilter{CreatedAfter: time.Date(2024, 5, 1, 7, 30, 0, 0, time.UTC)}},
			{"created_after=2024-05-01T09:30:00+02:00", portal.TicketFilter{CreatedAfter: time.Date(2024, 5, 1, 7, 30, 0, 0, time.UTC)}},
			{"sort=created&order=asc", portal.TicketFilter{Sort: "created", Order: "asc"}},
			{"sort=updated&sort=updated&order=", portal.TicketFilter{Sort: "updated"}},
		} {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := portal.ParseTicketFilter(v)
			if err != nil {
				t.Fatalf("%s: %v", tc.query, err)
			}
			// Values writes it back as parameters that read the same.
			again, err := portal.ParseTicketFilter(got.Values())
			if err != nil || !reflect.DeepEqual(again.Values(), got.Values()) || !again.CreatedAfter.Equal(got.CreatedAfter) {
				t.Fatalf("%s: Values does not round-trip: %v, %v", tc.query, got.Values(), err)
			}
			if !got.CreatedAfter.Equal(tc.want.CreatedAfter) || !got.CreatedBefore.Equal(tc.want.CreatedBefore) {
				t.Fatalf("%s: dates %v %v, want %v %v", tc.query, got.CreatedAfter, got.CreatedBefore, tc.want.CreatedAfter, tc.want.CreatedBefore)
			}
			got.CreatedAfter, got.CreatedBefore, tc.want.CreatedAfter, tc.want.CreatedBefore = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%s: got %+v, want %+v", tc.query, got, tc.want)
			}
		}
	})
	t.Run("ErrNamesParameter", func(t *testing.T) {
		for _, tc := range []struct{ query, param string }{
			{"state=open", "state"},
			{"state=Resolved", "state"},
			{"type=" + strings.Repeat("x", 201), "type"},
			{"type=a%00b", "type"},
			{"type=" + numbered(101), "type"},
			{"created_after=yesterday", "created_after"},
			{"created_after=2024-13-01", "created_after"},
			{"created_before=2024-05-01T09:30", "created_before"},
			{"created_before=1", "created_before"},
			{"created_after=2024-05-02&created_before=2024-05-01", "created_after"},
			{"created_after=2024-05-01&created_before=2024-05-01", "created_after"},
			{"created_after=2024-05-01&created_after=2024-05-02", "created_after"},
			{"sort=title", "sort"},
			{"sort=created&sort=updated", "sort"},
			{"order=up", "order"},
		} {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = portal.ParseTicketFilter(v)
			if portal.ErrorCode(err) != portal.EINVALID || !strings.HasPrefix(err.Error(), tc.param+" ") {
				t.Fatalf("%.60s: got %v (%s), want EINVALID naming %s", tc.query, err, portal.ErrorCode(err), tc.param)
			}
		}
	})
}

// numbered returns n distinct ids, comma-separated.
func numbered(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "t" + strconv.Itoa(i)
	}
	return strings.Join(ids, ",")
}

func TestTicketNumber(t *testing.T) {
	for q, want := range map[string]string{
		"1789": "1789", "#1789": "1789", " # 1789 ": "1789", "#": "", "1789 refund": "", "17a": "", "": "", "##1": "",
	} {
		if got := portal.TicketNumber(q); got != want {
			t.Fatalf("TicketNumber(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestTicketFilterKeeps(t *testing.T) {
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	tk := &portal.Ticket{StateCategory: "resolved", TypeID: "95", CreatedAt: at}
	for _, tc := range []struct {
		f    portal.TicketFilter
		keep bool
	}{
		{portal.TicketFilter{}, true},
		{portal.TicketFilter{State: []string{"submitted", "resolved"}}, true},
		{portal.TicketFilter{State: []string{"submitted"}}, false},
		{portal.TicketFilter{Types: []string{"96"}}, false},
		{portal.TicketFilter{CreatedAfter: at}, true},   // inclusive
		{portal.TicketFilter{CreatedBefore: at}, false}, // exclusive
		{portal.TicketFilter{CreatedBefore: at.Add(time.Second)}, true},
	} {
		if got := tc.f.Keeps(tk); got != tc.keep {
			t.Fatalf("%+v keeps = %v, want %v", tc.f, got, tc.keep)
		}
	}
}

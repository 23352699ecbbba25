package studio_test

import (
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/studio"
)

func previewTicket(created time.Time) *portal.Ticket {
	return &portal.Ticket{
		ID:          "t1",
		Title:       "Printer broken",
		Description: "It makes smoke and noise",
		Category:    portal.CategoryCustomer,
		IsShared:    true,
		CreatedAt:   created,
		Parts: []portal.Part{
			{ID: "p1", PartType: "comment", Body: "<p>The printer is <b>on fire</b></p>", AuthorName: "Agent Smith", CreatedAt: created.Add(26 * time.Hour)},
			{ID: "p2", PartType: "note", Body: "<p>Secret: the customer dropped it, printer fire</p>", AuthorName: "Internal Ivy", CreatedAt: created.Add(50 * time.Hour)},
			{ID: "p3", PartType: "assignment", Body: "<p>Secret assignment</p>", AuthorName: "Bot", CreatedAt: created.Add(51 * time.Hour)},
			{ID: "p4", PartType: "comment", Body: "<p>Thanks &lt;3</p>", AuthorName: "Ada Creator", CreatedAt: created.Add(52 * time.Hour)},
		},
	}
}

func TestPreview(t *testing.T) {
	created := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	now := created.Add(3*24*time.Hour + 5*time.Hour) // 3 days 5 hours after creation
	tests := []struct {
		name    string
		q       string
		snippet string
		author  string
		ago     string
	}{
		{"title match: the creator", "broken", "Printer <mark>broken</mark>", "Ada Creator", "3d"},
		{"description match: the creator", "smoke", "It makes <mark>smoke</mark> and noise", "Ada Creator", "3d"},
		{"part match: the part's author and time", "fire", "The printer is on <mark>fire</mark>", "Agent Smith", "2d"},
		{"more terms in a part beat the title", "printer fire", "The <mark>printer</mark> is on <mark>fire</mark>", "Agent Smith", "2d"},
		{"tie goes to the title", "printer", "<mark>Printer</mark> broken", "Ada Creator", "3d"},
		{"escaped part text", "thanks", "<mark>Thanks</mark> &lt;3", "Ada Creator", "1d"},
		{"note words never give a note snippet", "secret", "Printer broken", "Ada Creator", "3d"},
		{"note author never shown", "dropped", "Printer broken", "Ada Creator", "3d"},
		{"no terms: the title", "", "Printer broken", "Ada Creator", "3d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := studio.Preview(previewTicket(created), "Ada Creator", portal.SearchTerms(tt.q), now)
			if got == nil {
				t.Fatal("Preview = nil")
			}
			if got.Snippet != tt.snippet || got.Author != tt.author || got.Ago != tt.ago {
				t.Errorf("Preview(%q) = %+v, want {Snippet:%s Author:%s Ago:%s}", tt.q, *got, tt.snippet, tt.author, tt.ago)
			}
			if strings.Contains(strings.ToLower(got.Snippet), "secret") || got.Author == "Internal Ivy" || got.Author == "Bot" {
				t.Errorf("Preview(%q) = %+v shows an internal part", tt.q, *got)
			}
		})
	}
}

func TestPreviewAgo(t *testing.T) {
	created := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		after time.Duration
		want  string
	}{
		{30 * time.Second, "now"},
		{90 * time.Second, "1m"},
		{5*time.Hour + 59*time.Minute, "5h"},
		{3*24*time.Hour + 23*time.Hour, "3d"},
		{7 * 24 * time.Hour, "1w"},
		{29 * 24 * time.Hour, "4w"},
		{60 * 24 * time.Hour, "2mo"},
		{400 * 24 * time.Hour, "1y"},
		{-time.Hour, "now"}, // a ticket from the future
	}
	for _, tt := range tests {
		got := studio.Preview(previewTicket(created), "Ada Creator", portal.SearchTerms("broken"), created.Add(tt.after))
		if got.Ago != tt.want {
			t.Errorf("Preview %v after creation: Ago = %q, want %q", tt.after, got.Ago, tt.want)
		}
	}
}

func TestPreviewLongPart(t *testing.T) {
	created := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	tk := previewTicket(created)
	long := strings.Repeat("lorem ipsum dolor sit amet ", 20) + "the <b>café</b> closed " + strings.Repeat("consectetur adipiscing ", 10)
	tk.Parts = append(tk.Parts, portal.Part{ID: "p5", PartType: "comment", Body: "<p>" + long + "</p>", AuthorName: "Agent Long", CreatedAt: created.Add(time.Hour)})
	got := studio.Preview(tk, "Ada Creator", portal.SearchTerms("CAFE"), created.Add(2*time.Hour))
	if got.Author != "Agent Long" || got.Ago != "1h" {
		t.Errorf("Preview = %+v, want Agent Long 1h ago", *got)
	}
	if !strings.Contains(got.Snippet, "<mark>café</mark>") || !strings.HasPrefix(got.Snippet, "…") || !strings.HasSuffix(got.Snippet, "…") {
		t.Errorf("wire.Snippet = %q, want the marked match with both ends cut", got.Snippet)
	}
	vis := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(got.Snippet)
	if n := len([]rune(vis)); n > portal.SnippetMax {
		t.Errorf("wire.Snippet shows %d characters, more than %d", n, portal.SnippetMax)
	}
	if strings.Contains(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(got.Snippet), "<") {
		t.Errorf("wire.Snippet %q holds raw markup", got.Snippet)
	}
}

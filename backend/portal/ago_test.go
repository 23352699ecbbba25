package portal_test

import (
	"testing"
	"time"

	"portalstudio/backend/portal"
)

func TestAgo(t *testing.T) {
	const (
		s = time.Second
		m = time.Minute
		h = time.Hour
		d = 24 * time.Hour
	)
	tests := []struct {
		before time.Duration // how long before now
		want   string
	}{
		{0, "now"},
		{time.Nanosecond, "now"},
		{59 * s, "now"},
		{59*s + 999*time.Millisecond, "now"},
		{60 * s, "1m"},
		{61 * s, "1m"},
		{119 * s, "1m"},
		{2 * m, "2m"},
		{59*m + 59*s, "59m"},
		{1 * h, "1h"},
		{1*h + 59*m, "1h"},
		{23*h + 59*m, "23h"},
		{23*h + 59*m + 59*s, "23h"},
		{24 * h, "1d"},
		{47*h + 59*m, "1d"},
		{6*d + 23*h, "6d"},
		{6*d + 23*h + 59*m + 59*s, "6d"},
		{7 * d, "1w"},
		{13 * d, "1w"},
		{14 * d, "2w"},
		{29 * d, "4w"},
		{29*d + 23*h + 59*m, "4w"},
		{30 * d, "1mo"},
		{59 * d, "1mo"},
		{60 * d, "2mo"},
		{364 * d, "12mo"},
		{364*d + 23*h, "12mo"},
		{365 * d, "1y"},
		{729 * d, "1y"},
		{730 * d, "2y"},
		{10 * 365 * d, "10y"},
		// Times after now are "now".
		{-time.Second, "now"},
		{-2 * d, "now"},
		{-400 * d, "now"},
	}
	for _, tt := range tests {
		if got := portal.Ago(now.Add(-tt.before), now); got != tt.want {
			t.Errorf("Ago(now - %v) = %q, want %q", tt.before, got, tt.want)
		}
	}
	// Time zones do not matter, only the instants.
	paris := time.FixedZone("Paris", 2*3600)
	if got := portal.Ago(now.Add(-3*h).In(paris), now); got != "3h" {
		t.Errorf("Ago across zones = %q, want 3h", got)
	}
}

package portal

import (
	"strconv"
	"time"
)

// Ago formats how long before now t was, as the portal's Preview column
// shows it: "now" under a minute, then minutes "Nm", hours "Nh", days "Nd"
// (under 7 days), weeks "Nw" (under 30 days), 30-day months "Nmo" (under
// 365 days) and years "Ny"; always rounded down. Times after now are "now".
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < day:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d < 7*day:
		return strconv.Itoa(int(d/day)) + "d"
	case d < 30*day:
		return strconv.Itoa(int(d/(7*day))) + "w"
	case d < 365*day:
		return strconv.Itoa(int(d/(30*day))) + "mo"
	}
	return strconv.Itoa(int(d/(365*day))) + "y"
}

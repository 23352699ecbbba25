package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Routes registers the pages. The native handler (prerendering) and the
// WebAssembly build both call it, so they agree on every path: the
// studio's pages, and the customer-facing pages the portal server serves
// under /portal/<slug>/.
func Routes() {
	app.Route("/", func() app.Composer { return &settingsPage{} })
	app.Route("/preview", func() app.Composer { return &previewPage{} })
	app.Route("/data", func() app.Composer { return &dataPage{} })

	app.RouteWithRegexp(`^/portal/[^/]+/(tickets/[^/]+)?$`, func() app.Composer {
		return &customerPortalPage{customerPage{page: "portal", title: "Your tickets · Customer portal"}}
	})
	app.RouteWithRegexp(`^/portal/[^/]+/login$`, func() app.Composer {
		return &customerLoginPage{customerPage{page: "login", title: "Sign in · Customer portal"}}
	})
	app.RouteWithRegexp(`^/portal/[^/]+/help$`, func() app.Composer {
		return &helpCenterPage{customerPage{page: "help", title: "Help Center"}}
	})
	app.RouteWithRegexp(`^/portal/[^/]+/messenger$`, func() app.Composer {
		return &messengerPage{customerPage{page: "messenger", title: "Messenger"}}
	})
}

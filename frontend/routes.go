package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Routes registers the pages. The native handler (prerendering) and the
// WebAssembly build both call it, so they agree on every path.
func Routes() {
	app.Route("/", func() app.Composer { return &settingsPage{} })
	app.Route("/preview", func() app.Composer { return &previewPage{} })
	app.Route("/data", func() app.Composer { return &dataPage{} })
}

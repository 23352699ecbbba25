package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// messengerCard is the Messenger's tickets space: when on, it shows a
// banner linking to the portal.
type messengerCard struct {
	app.Compo

	draft draftState
}

func (c *messengerCard) OnMount(ctx app.Context) {
	ctx.ObserveState(stateDraft, &c.draft)
}

func (c *messengerCard) Render() app.UI {
	st := c.draft.Settings
	if st == nil {
		return app.Div()
	}
	on := st.Messenger.TicketsSpace
	return card("messenger-card", "Messenger tickets space",
		"If the tickets space is enabled in your Messenger, users see a banner at its top linking back to the customer portal. Ticket visibility does not apply to the Messenger.",
		toggle("messenger-toggle", "Enable the tickets space", "", on, false, func(ctx app.Context, e app.Event) {
			v := ctx.JSSrc().Get("checked").Bool()
			ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) { st.Messenger.TicketsSpace = v }})
		}),
		app.If(on, func() app.UI {
			link := st.Portal.URL
			if link == "" {
				link = "the portal URL (generated when the portal is enabled)"
			}
			return app.Div().Class("banner-sample").ID("messenger-banner").Body(
				app.Strong().Text("View all your tickets in the customer portal"),
				app.Span().Class("hint").Text("Links to "+link),
				app.If(!st.Portal.Enabled, func() app.UI {
					return app.Span().Class("hint warn").Text("The banner shows only while the customer portal is enabled.")
				}),
			)
		}),
	)
}

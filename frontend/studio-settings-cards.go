package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// settingsCards renders the cards of the settings page once the draft is
// loaded.
type settingsCards struct {
	app.Compo

	draft draftState
}

func (c *settingsCards) OnMount(ctx app.Context) {
	ctx.ObserveState(stateDraft, &c.draft)
}

func (c *settingsCards) Render() app.UI {
	switch {
	case c.draft.Status == Failed:
		return app.Div().Class("cards").Body(
			app.Div().Class("card").Body(errorText(c.draft.Err.Message),
				app.Button().Class("btn").Text("Try again").OnClick(func(ctx app.Context, e app.Event) {
					ctx.NewAction(actionLoad, app.T("force", "true"))
				})),
		)
	case c.draft.Settings == nil:
		return app.Div().Class("cards loading-cards").Body(
			app.Div().Class("card skeleton"), app.Div().Class("card skeleton"), app.Div().Class("card skeleton"),
		)
	}
	return app.Div().Class("cards").Body(
		&portalCard{},
		&accessCard{},
		&visibilityCard{},
		&previewColumnCard{},
		&helpCenterCard{},
		&messengerCard{},
	)
}

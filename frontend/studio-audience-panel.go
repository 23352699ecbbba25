package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// audiencePanel shows how many users an audience holds and the first of
// them; it stays readable (dimmed) while a newer count is on its way.
type audiencePanel struct {
	app.Compo
	IID      string // "access" or "restricted": the ids of its parts
	ITitle   string
	IVerb    string // "match this audience rule"
	IState   audienceState
	IInvalid bool // the rule has problems: the count is of the saved rule
	IOpen    bool // list the users
}

func (c *audiencePanel) Render() app.UI {
	s := c.IState
	cls := "audience"
	if s.Status == Loading {
		cls += " busy"
	}
	var count, note app.UI
	switch {
	case s.Result != nil:
		count = app.Div().Class("count-line").Body(
			app.Span().Class("count").ID(c.IID+"-count").Text(formatInt(s.Result.Count)),
			app.Span().Class("count-label").Text(usersWord(s.Result.Count)+" "+c.IVerb),
		)
		if s.Result.Note != "" {
			note = app.P().Class("hint").ID(c.IID + "-note").Text(s.Result.Note)
		}
	case s.Status == Failed:
		count = errorText(s.Err.Message)
	default:
		count = app.Div().Class("count-line").Body(spinner(), app.Span().Class("count-label").Text("Counting users…"))
	}
	var list app.UI
	if c.IOpen && s.Result != nil && len(s.Result.Users) > 0 {
		users := s.Result.Users
		more := s.Result.Count - len(users)
		list = app.Div().Body(
			app.Ul().Class("user-list").ID(c.IID+"-users").Body(
				app.Range(users).Slice(func(i int) app.UI { return userLine(users[i]) }),
			),
			app.If(more > 0, func() app.UI {
				return app.P().Class("hint").Text("and " + plural(more, "more user", "more users") + ".")
			}),
		)
	}
	return app.Aside().Class(cls).ID(c.IID+"-audience").Aria("live", "polite").Body(
		app.If(c.ITitle != "", func() app.UI { return app.P().Class("audience-title").Text(c.ITitle) }),
		count,
		note,
		app.If(c.IInvalid, func() app.UI {
			return app.P().Class("hint warn").Text("Showing the last valid rule until the problems are fixed.")
		}),
		list,
	)
}

func usersWord(n int) string {
	if n == 1 {
		return "user"
	}
	return "users"
}

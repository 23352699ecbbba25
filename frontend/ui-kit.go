package frontend

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// Small building blocks shared by the components (plain functions, not
// components: they hold no state).

// HTML's boolean attributes are true by being there: disabled="false",
// checked="false" and selected="false" disable, check and select. go-app
// writes Disabled(false) and the like that way into the prerendered HTML
// (the pages before the WebAssembly runs), so a value that may be false
// goes through these, which write the attribute only when it is true.
//
// In the browser go-app sets the element's property from the value
// instead, and removing the attribute would not uncheck a box (or
// unselect an option) whose state the user or a property already set:
// there checkedIf and selectedIf still write false. disabled follows its
// attribute both ways, so disabledIf leaves it out everywhere.

// disabledIf disables e when on.
func disabledIf[E interface{ Disabled(bool) E }](on bool, e E) E {
	if on {
		return e.Disabled(true)
	}
	return e
}

// checkedIf checks e when on.
func checkedIf[E interface{ Checked(bool) E }](on bool, e E) E {
	if on || app.IsClient {
		return e.Checked(on)
	}
	return e
}

// selectedIf selects e when on.
func selectedIf[E interface{ Selected(bool) E }](on bool, e E) E {
	if on || app.IsClient {
		return e.Selected(on)
	}
	return e
}

// toggle renders a switch: a checkbox styled as a toggle, with its label
// and an optional hint under it.
func toggle(id, label, hint string, on, disabled bool, onChange app.EventHandler) app.UI {
	return app.Label().Class("toggle-row").For(id).Body(
		app.Span().Class("toggle-text").Body(
			app.Span().Class("toggle-label").Text(label),
			app.If(hint != "", func() app.UI { return app.Span().Class("hint").Text(hint) }),
		),
		app.Span().Class("switch").Body(
			disabledIf(disabled, checkedIf(on, app.Input().Type("checkbox").ID(id).Role("switch"))).OnChange(onChange),
			app.Span().Class("slider"),
		),
	)
}

// card renders a settings card with its title and description.
func card(id, title, desc string, body ...app.UI) app.UI {
	return app.Section().Class("card").ID(id).Body(
		app.Header().Class("card-head").Body(
			app.H2().Text(title),
			app.If(desc != "", func() app.UI { return app.P().Class("card-desc").Text(desc) }),
		),
		app.Div().Class("card-body").Body(body...),
	)
}

// errorText renders a sentence for the admin, or nothing.
func errorText(msg string) app.UI {
	if msg == "" {
		return nil
	}
	return app.P().Class("error").Role("alert").Text(sentence(msg))
}

// sentence makes a message read as a sentence: capitalised and ending in
// a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// plural returns "1 user" or "3 users".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return formatInt(n) + " " + many
}

// formatInt groups thousands: 1,000,000.
func formatInt(n int) string { return portal.Thousands(n) }

func itoa(n int) string { return strconv.Itoa(n) }

// initials returns up to two initials of a name, for avatars.
func initials(name string) string {
	var out []rune
	for _, f := range strings.Fields(name) {
		for _, r := range f {
			out = append(out, []rune(strings.ToUpper(string(r)))...)
			break
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// userLine renders a user as lists show them: avatar, name, email.
func userLine(u portal.UserSummary) app.UI {
	name := u.Name
	if name == "" {
		name = u.Email
	}
	return app.Li().Class("user-line").Body(
		app.Span().Class("avatar").Text(initials(name)),
		app.Span().Class("user-text").Body(
			app.Span().Class("user-name").Text(name),
			app.Span().Class("user-email").Text(u.Email),
		),
	)
}

// spinner renders a small busy indicator.
func spinner() app.UI { return app.Span().Class("spinner").Aria("hidden", "true") }

// safeSnippet returns the backend's snippet HTML when it holds nothing but
// escaped text and <mark> tags; anything else is shown as plain text.
func safeSnippet(s string) app.UI {
	probe := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
	if strings.ContainsAny(probe, "<>") {
		return app.Span().Class("snippet").Text(s)
	}
	return app.Raw(`<span class="snippet">` + s + `</span>`)
}

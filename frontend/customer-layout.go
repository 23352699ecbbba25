package frontend

import (
	"regexp"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The frame of the customer-facing pages the portal server serves (the
// portal, the Help Center homepage, the Messenger's tickets space, the
// sign-in page): the site's header, the mobile notice and the page.

// portalBase returns the portal's path, /portal/<slug>/, of a page's
// path, or "" when the path is not under a portal.
func portalBase(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) < 2 || parts[0] != "portal" || parts[1] == "" {
		return ""
	}
	return "/portal/" + parts[1] + "/"
}

// customerLayout frames a customer page. active is "help", "portal" or
// "messenger"; user (when signed in) is shown with a sign-out button.
func customerLayout(base, active, user string, onSignOut app.EventHandler, content ...app.UI) app.UI {
	link := func(href, label, id string) app.UI {
		a := app.A().Class("site-link").ID("nav-" + id).Href(href).Text(label)
		if id == active {
			a = a.Class("active").Aria("current", "page")
		}
		return a
	}
	return app.Div().Class("customer-site").Body(
		app.Header().Class("site-head").Body(
			app.A().Class("site-brand").Href(base+"help").Body(
				app.Span().Class("brand-mark").Text("?"),
				app.Span().Text("Support"),
			),
			app.Nav().Class("site-nav").Body(
				link(base+"help", "Help Center", "help"),
				link(base, "Your tickets", "portal"),
				link(base+"messenger", "Messenger", "messenger"),
			),
			app.If(user != "", func() app.UI {
				return app.Div().Class("site-user").Body(
					app.Span().ID("signed-in-as").Text(user),
					app.Button().Class("btn btn-ghost btn-small").ID("sign-out").Text("Sign out").OnClick(onSignOut),
				)
			}),
		),
		&mobileNotice{},
		app.Main().Class("site-main").Body(content...),
	)
}

// mobileNotice says politely that the portal is not supported on mobile
// devices. The stylesheet shows it on narrow screens (before the
// WebAssembly runs, too); on a phone or a tablet (user agent) it shows at
// any width.
type mobileNotice struct {
	app.Compo
	mobile bool
}

func (c *mobileNotice) OnMount(ctx app.Context) {
	mobile := isMobileDevice()
	ctx.Dispatch(func(app.Context) { c.mobile = mobile })
}

func (c *mobileNotice) Render() app.UI {
	cls := "mobile-notice"
	if c.mobile {
		cls += " on"
	}
	return app.Div().Class(cls).ID("mobile-notice").Role("note").Body(
		app.Strong().Text("The customer portal is not supported on mobile devices yet…"),
		app.Span().Text(" We're sorry for the inconvenience: for the best experience, please open it on a computer."),
	)
}

// mobileUA matches the user agents of phones and tablets.
var mobileUA = regexp.MustCompile(`(?i)\b(mobi|android|iphone|ipad|ipod|windows phone|blackberry|opera mini|silk|kindle)`)

// mobileUserAgent reports whether a user agent is a phone's or a tablet's.
func mobileUserAgent(ua string) bool { return mobileUA.MatchString(ua) }

// signInBox is the sign-in form: it posts the identity token to the
// server, which sets the session cookie. A plain form post works before
// the WebAssembly runs (the server redirects to the portal); once it runs
// the form is sent by fetch, so a refusal shows here as a sentence.
func signInBox(base, errMsg string, busy bool) app.UI {
	return app.Form().Class("signin card").ID("signin-form").Method("post").Action(base+"session").Body(
		app.H2().Text("Sign in to see your tickets"),
		app.P().Class("hint").Text("Open the customer portal from your account on our website: it signs you in. If it gave you an identity token, paste it here."),
		app.Label().For("signin-token").Class("field-label").Text("Identity token"),
		app.Textarea().ID("signin-token").Name("token").Rows(3).Required(true).Attr("autocomplete", "off").Attr("spellcheck", "false"),
		app.Div().Body(
			app.Button().Type("submit").ID("signin-submit").Class("btn btn-primary").Disabled(busy).Text("Sign in"),
		),
		errorText(errMsg),
	).OnSubmit(func(ctx app.Context, e app.Event) {
		e.PreventDefault()
		tok := app.Window().GetElementByID("signin-token").Get("value").String()
		ctx.NewActionWithValue(actionCustomerSignIn, customerAction{Base: base, Text: tok})
	})
}

// signInContent is what a signed-out customer sees: the confirmation of a
// sign-in link ("Continue as …"), or the sign-in form.
func signInContent(base string, st customerState) app.UI {
	if st.Base != base || st.Confirm == nil {
		errMsg := ""
		if st.Base == base {
			errMsg = st.SignInErr
		}
		return signInBox(base, errMsg, st.SigningIn)
	}
	who := st.Confirm.Name
	if who == "" {
		who = st.Confirm.Email
	}
	token := st.Pending
	return app.Div().Class("signin card").ID("signin-confirm").Body(
		app.H2().Text("Sign in as "+who+"?"),
		app.P().Class("hint").Body(
			app.Text("The link you followed signs in "),
			app.Strong().ID("signin-confirm-who").Text(who),
			app.If(st.Confirm.Email != "" && st.Confirm.Email != who, func() app.UI { return app.Text(" (" + st.Confirm.Email + ")") }),
			app.Text(". Continue only if this is you: a link someone else sent you could sign you in to their account."),
		),
		app.Div().Class("signin-actions").Body(
			app.Button().Type("button").ID("signin-continue").Class("btn btn-primary").Disabled(st.SigningIn).Text("Continue as "+who).
				OnClick(func(ctx app.Context, e app.Event) {
					ctx.NewActionWithValue(actionCustomerSignIn, customerAction{Base: base, Text: token})
				}),
			app.Button().Type("button").ID("signin-not-me").Class("btn").Text("This is not me").
				OnClick(func(ctx app.Context, e app.Event) {
					ctx.NewActionWithValue(actionCustomerForget, customerAction{Base: base})
				}),
		),
	)
}

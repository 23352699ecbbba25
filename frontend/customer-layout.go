package frontend

import (
	"regexp"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/wire"
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
// "messenger"; who (when someone is signed in) is shown with Sign out on
// every page, so a customer can switch account from any of them;
// otherwise the header offers to sign in.
func customerLayout(base, active string, who *wire.UserInfo, content ...app.UI) app.UI {
	link := func(href, label, id string) app.UI {
		a := app.A().Class("site-link").ID("nav-" + id).Href(href).Text(label)
		if id == active {
			a = a.Class("active").Aria("current", "page")
		}
		return a
	}
	var user app.UI
	if who != nil {
		name := who.Name
		if name == "" {
			name = who.Email
		}
		user = app.Div().Class("site-user").Body(
			app.Span().ID("signed-in-as").Title(who.Email).Text(name),
			app.Button().Type("button").Class("btn btn-ghost btn-small").ID("sign-out").DataSet("base", base).Text("Sign out").OnClick(signOutClicked),
		)
	} else if active != "login" {
		user = app.Div().Class("site-user").Body(
			app.A().Class("btn btn-ghost btn-small").ID("sign-in-link").Href(base + "login").Text("Sign in"),
		)
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
			user,
		),
		&mobileNotice{},
		app.Main().Class("site-main").Body(content...),
	)
}

// signOutClicked signs out. Like every handler of the customer pages it
// reads what it needs from the element (go-app keeps the first handler
// of an element it updates in place, so a value captured by a closure
// could be stale: the portal's base rendered before the address was
// read, say).
func signOutClicked(ctx app.Context, e app.Event) {
	ctx.NewActionWithValue(actionCustomerSignOut, customerAction{Base: ctx.JSSrc().Get("dataset").Get("base").String()})
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

// signInBox is the sign-in form: it posts what the customer pasted (a
// sign-in link or its code) to the server, which sets the session cookie.
// A plain form post works before the WebAssembly runs (the server
// redirects to the portal, or back here with why it refused); once it
// runs the form is sent by fetch, so a refusal shows here as a sentence.
// Enter in the field sends it too.
func signInBox(base, errMsg string, busy bool) app.UI {
	label := "Sign in"
	if busy {
		label = "Signing in…"
	}
	return app.Form().Class("signin card").ID("signin-form").Method("post").Action(base+"session").DataSet("base", base).Body(
		app.H2().Text("Sign in to see your tickets"),
		app.P().Class("hint").Text("The easiest way: open the customer portal from your account on our website, and you are signed in. If our website gave you a sign-in link or code, paste it here."),
		app.Label().For("signin-token").Class("field-label").Text("Sign-in link or code"),
		app.Input().Type("text").ID("signin-token").Name("token").Required(true).
			Attr("autocomplete", "off").Attr("autocapitalize", "off").Spellcheck(false).
			Placeholder("Paste your sign-in link or code").Aria("describedby", "signin-error"),
		app.Div().Body(
			disabledIf(busy, app.Button().Type("submit").ID("signin-submit").Class("btn btn-primary").Text(label)),
		),
		app.If(errMsg != "", func() app.UI {
			return app.P().Class("error").ID("signin-error").Role("alert").Text(errMsg)
		}),
	).OnSubmit(signInSubmitted)
}

// signInSubmitted sends the sign-in form by fetch (see signOutClicked for
// why it reads the form rather than captured values).
func signInSubmitted(ctx app.Context, e app.Event) {
	e.PreventDefault()
	form := ctx.JSSrc()
	ctx.NewActionWithValue(actionCustomerSignIn, customerAction{
		Base: form.Get("dataset").Get("base").String(),
		Text: form.Call("querySelector", "#signin-token").Get("value").String(),
	})
}

// signInContent is what a signed-out customer sees: the confirmation of a
// sign-in link ("Continue as …"), or the sign-in form.
func signInContent(base, refused string, st customerState) app.UI {
	if st.Base != base || st.Confirm == nil {
		errMsg := ""
		if refused != "" {
			errMsg = wire.SignInRefusal(refused)
		}
		if st.Base == base && st.SignInErr != "" {
			errMsg = st.SignInErr
		}
		return signInBox(base, errMsg, st.SigningIn)
	}
	who := st.Confirm.Name
	if who == "" {
		who = st.Confirm.Email
	}
	return app.Div().Class("signin card").ID("signin-confirm").Body(
		app.H2().Text("Sign in as "+who+"?"),
		app.P().Class("hint").Body(
			app.Text("The link you followed signs in "),
			app.Strong().ID("signin-confirm-who").Text(who),
			app.If(st.Confirm.Email != "" && st.Confirm.Email != who, func() app.UI { return app.Text(" (" + st.Confirm.Email + ")") }),
			app.Text(". Continue only if this is you: a link someone else sent you could sign you in to their account."),
		),
		app.Div().Class("signin-actions").Body(
			disabledIf(st.SigningIn, app.Button().Type("button").ID("signin-continue").Class("btn btn-primary").Text("Continue as "+who)).
				OnClick(func(ctx app.Context, e app.Event) {
					// The token waiting now, not the one of the render
					// that made this handler.
					var st customerState
					ctx.GetState(stateCustomer, &st)
					ctx.NewActionWithValue(actionCustomerSignIn, customerAction{Base: st.Base, Text: st.Pending})
				}),
			app.Button().Type("button").ID("signin-not-me").Class("btn").Text("This is not me").
				OnClick(func(ctx app.Context, e app.Event) {
					var st customerState
					ctx.GetState(stateCustomer, &st)
					ctx.NewActionWithValue(actionCustomerForget, customerAction{Base: st.Base})
				}),
		),
	)
}

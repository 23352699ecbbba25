package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// customerLoginPage is the sign-in page, /portal/<slug>/login: the form,
// or with ?token= the exchange at once, then the portal.
type customerLoginPage struct {
	customerPage
}

func (c *customerLoginPage) Render() app.UI {
	errMsg := ""
	if c.st.Base == c.base {
		errMsg = c.st.SignInErr
	}
	return customerLayout(c.base, "portal", "", nil, app.Div().Class("portal-page").Body(signInBox(c.base, errMsg, c.st.SigningIn)))
}

package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// customerLoginPage is the sign-in page, /portal/<slug>/login: the form,
// or with ?token= (a sign-in link) whom it signs in, to confirm.
type customerLoginPage struct {
	customerPage
}

func (c *customerLoginPage) Render() app.UI {
	return customerLayout(c.base, "login", c.who(), app.Div().Class("portal-page").Body(signInContent(c.base, c.refused, c.st)))
}

package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// liveInput is a text input that reports every keystroke and never fights
// the admin's typing: while it has the focus, what the admin types is the
// truth and re-renders (which may carry a value a keystroke old) leave it
// alone, so no character is ever lost. Otherwise it shows IValue.
type liveInput struct {
	app.Compo
	IValue       string
	IID          string
	IType        string // "text", "number", "search"
	IClass       string
	IPlaceholder string
	ILabel       string
	IStep        string
	IMin         string
	// IOnInput receives each new text.
	IOnInput func(ctx app.Context, text string)
	// IOnKeyDown, when set, receives the key presses (arrows, Enter).
	IOnKeyDown app.EventHandler
	// IOnFocus and IOnBlur, when set, hear the focus come and go.
	IOnFocus app.EventHandler
	IOnBlur  app.EventHandler
	// IControls and IActive are the combobox attributes of an input
	// that drives a list of suggestions: the list's ID and the ID of
	// the highlighted suggestion ("" when none).
	IControls string
	IActive   string

	shown string // the value attribute last rendered
	seen  string // the IValue last synced
	typed string // what the admin typed last
}

func (c *liveInput) Render() app.UI {
	if c.IValue != c.seen && !c.focused() {
		c.seen = c.IValue
		if c.IValue != c.typed {
			// Changed from elsewhere: show it.
			if c.shown == c.IValue && c.Mounted() {
				// The attribute would not change; set the element.
				c.JSValue().Set("value", c.IValue)
			}
			c.shown, c.typed = c.IValue, c.IValue
		}
	}
	typ := c.IType
	if typ == "" {
		typ = "text"
	}
	in := app.Input().Type(typ).Class(c.IClass).Value(c.shown).Placeholder(c.IPlaceholder).Aria("label", c.ILabel).OnInput(func(ctx app.Context, e app.Event) {
		c.typed = ctx.JSSrc().Get("value").String()
		if c.IOnInput != nil {
			c.IOnInput(ctx, c.typed)
		}
	})
	if c.IOnKeyDown != nil {
		in = in.OnKeyDown(c.IOnKeyDown)
	}
	if c.IOnFocus != nil {
		in = in.OnFocus(c.IOnFocus)
	}
	if c.IOnBlur != nil {
		in = in.OnBlur(c.IOnBlur)
	}
	if c.IID != "" {
		in = in.ID(c.IID)
	}
	if c.IControls != "" {
		in = in.Role("combobox").Aria("controls", c.IControls).Aria("autocomplete", "list").Aria("activedescendant", c.IActive).Attr("autocomplete", "off")
	}
	if c.IStep != "" {
		in = in.Attr("step", c.IStep)
	}
	if c.IMin != "" {
		in = in.Attr("min", c.IMin)
	}
	return in
}

// focused reports whether the input has the keyboard focus.
func (c *liveInput) focused() bool {
	if !c.Mounted() || app.IsServer {
		return false
	}
	return app.Window().Get("document").Get("activeElement").Equal(c.JSValue())
}

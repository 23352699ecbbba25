package frontend

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// valueInput edits a condition's value with the input its type needs:
// text with the workspace's values suggested (with how many hold each),
// a number, a switch for true/false, or a number of days with a date
// picker beside it.
type valueInput struct {
	app.Compo
	IScope string
	IPath  []int
	IAttr  portal.Attribute
	IOp    portal.Operator
	IValue any

	values valuesState
	open   bool // the suggestions are shown
	active int  // the highlighted suggestion, -1 for none
	typed  string
}

func (c *valueInput) OnMount(ctx app.Context) {
	ctx.ObserveState(stateValues, &c.values)
	c.active = -1
}

// key names the condition this box edits, for its suggestions.
func (c *valueInput) key() string { return c.IScope + ":" + pathKey(c.IPath) }

// elemID is the ID of the box's input.
func (c *valueInput) elemID() string {
	return "value-" + strings.NewReplacer(":", "-", ".", "-").Replace(c.key())
}

// post sets the condition's value. go-app keeps an element's first event
// handler while the handler's code is the same, so handlers read the
// component's fields when they run (here, the condition's path), never
// what a render captured.
func (c *valueInput) post(ctx app.Context, v any, immediate bool) {
	ref := ruleRef{Scope: c.IScope, Path: append([]int(nil), c.IPath...)}
	ctx.NewActionWithValue(actionEdit, edit{immediate: immediate, apply: func(st *portal.Settings) { setValue(st, ref, v) }})
}

func (c *valueInput) Render() app.UI {
	post := c.post
	// A number being typed ("1.", "-") is shown as typed and saved as no
	// value yet.
	number := func(ctx app.Context, text string) { post(ctx, parseNumber(text), false) }
	switch valueShape(c.IAttr.Kind, c.IOp) {
	case "none":
		return app.Span().Class("cond-value none")
	case "days":
		return c.days(post, number)
	case string(portal.KindBoolean):
		on := c.IValue == true
		label := "false"
		if on {
			label = "true"
		}
		return app.Label().Class("cond-bool").Body(
			app.Span().Class("switch small").Body(
				checkedIf(on, app.Input().Type("checkbox").Class("cond-switch").Role("switch").Aria("label", "value")).OnChange(func(ctx app.Context, e app.Event) {
					post(ctx, ctx.JSSrc().Get("checked").Bool(), true)
				}),
				app.Span().Class("slider"),
			),
			app.Span().Class("cond-bool-text").Text(label),
		)
	case string(portal.KindNumber):
		return &liveInput{IType: "number", IClass: "cond-value", IValue: formatCondValue(c.IValue), IPlaceholder: "a number", ILabel: "value", IStep: "any", IOnInput: number}
	}
	return c.text(post)
}

// text is the text box with the workspace's values suggested as the admin
// types: ↑/↓ move through them, Enter or a click picks one, Escape closes.
func (c *valueInput) text(post func(app.Context, any, bool)) app.UI {
	id := c.elemID()
	listID := id + "-list"
	shown := c.shown()
	if c.active >= len(shown) {
		c.active = -1
	}
	active := ""
	if c.active >= 0 {
		active = listID + "-" + itoa(c.active)
	}
	ask, pick := c.ask, c.pick
	holders := "users"
	if c.IAttr.Scope == portal.ScopeCompany {
		holders = "companies"
	}
	box := &liveInput{IID: id, IClass: "cond-value", IValue: formatCondValue(c.IValue), IPlaceholder: "value", ILabel: "value",
		IControls: listID, IActive: active,
		IOnInput: func(ctx app.Context, text string) {
			c.typed, c.open, c.active = text, true, -1
			post(ctx, text, false)
			ask(ctx, text)
		},
		IOnFocus: func(ctx app.Context, e app.Event) {
			c.typed, c.open, c.active = ctx.JSSrc().Get("value").String(), true, -1
			ask(ctx, c.typed)
			ctx.Update()
		},
		IOnBlur: func(ctx app.Context, e app.Event) {
			c.open, c.active = false, -1
			ctx.Update()
		},
		IOnKeyDown: func(ctx app.Context, e app.Event) {
			// The input is the liveInput's: render this box again. The
			// handler may be an earlier render's: read the list now.
			defer ctx.Update()
			shown := c.shown()
			switch e.Get("key").String() {
			case "ArrowDown":
				if !c.open {
					c.open = true
					ask(ctx, ctx.JSSrc().Get("value").String())
				} else if len(shown) > 0 {
					c.active = (c.active + 1) % len(shown)
				}
				e.PreventDefault()
			case "ArrowUp":
				if len(shown) > 0 {
					c.active = (c.active - 1 + len(shown)) % len(shown)
				}
				e.PreventDefault()
			case "Enter":
				if c.active >= 0 && c.active < len(shown) {
					e.PreventDefault()
					pick(ctx, shown[c.active].Value)
				}
			case "Escape":
				c.open, c.active = false, -1
			}
		},
	}
	return app.Div().Class("value-box").Body(
		box,
		app.If(len(shown) > 0, func() app.UI {
			return app.Ul().Class("value-suggestions").ID(listID).Role("listbox").Aria("label", c.IAttr.Label+" values").Body(
				app.Range(shown).Slice(func(i int) app.UI {
					v := shown[i]
					cls := "value-option"
					if i == c.active {
						cls += " active"
					}
					return app.Li().Class(cls).ID(listID+"-"+itoa(i)).Role("option").Aria("selected", i == c.active).DataSet("value", v.Value).Body(
						app.Span().Class("value-text").Text(v.Value),
						app.Span().Class("value-count").Text(formatInt(v.Count)+" "+holders),
					).OnMouseDown(func(ctx app.Context, e app.Event) {
						// Before the input's blur, so the click lands. The
						// row's value is read from the row: its handler is
						// the first render's.
						e.PreventDefault()
						pick(ctx, ctx.JSSrc().Get("dataset").Get("value").String())
					})
				}),
			)
		}),
	)
}

// ask asks for the suggestions for what is typed.
func (c *valueInput) ask(ctx app.Context, prefix string) {
	if c.IAttr.Kind != portal.KindString {
		return // an attribute the schema does not know has none
	}
	ctx.NewActionWithValue(actionValues, valuesRequest{Key: c.key(), Attr: c.IAttr.Name, Prefix: prefix})
}

// pick makes a suggestion the value.
func (c *valueInput) pick(ctx app.Context, v string) {
	if el := app.Window().GetElementByID(c.elemID()); el.Truthy() {
		el.Set("value", v)
	}
	c.typed, c.open, c.active = v, false, -1
	c.post(ctx, v, true)
}

// shown is the suggestions listed: the latest for this box, while open.
func (c *valueInput) shown() []portal.ValueCount {
	if c.open && c.values.Key == c.key() {
		return c.values.Values
	}
	return nil
}

// days is "more/less than N days ago": the number, and a date picker
// beside it that sets the number from a day.
func (c *valueInput) days(post func(app.Context, any, bool), number func(app.Context, string)) app.UI {
	day := ""
	if n, ok := c.IValue.(float64); ok && n >= 0 && n < 36500 {
		day = today().AddDate(0, 0, -int(n)).Format(time.DateOnly)
	}
	return app.Span().Class("days").Body(
		&liveInput{IType: "number", IClass: "cond-value", IValue: formatCondValue(c.IValue), ILabel: "days", IMin: "0", IStep: "1", IOnInput: number},
		app.Span().Class("suffix").Text("days ago"),
		app.Input().Type("date").Class("cond-date").Aria("label", "or pick the day").Title("Pick a day: the number of days ago is set from it").
			Value(day).Max(today().Format(time.DateOnly)).OnChange(func(ctx app.Context, e app.Event) {
			t, err := time.Parse(time.DateOnly, ctx.JSSrc().Get("value").String())
			if err != nil {
				return
			}
			n := math.Round(today().Sub(t).Hours() / 24)
			if n < 0 {
				n = 0
			}
			post(ctx, n, true)
		}),
	)
}

// today is the local day, at midnight UTC, for counting days.
func today() time.Time {
	y, m, d := time.Now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// parseNumber reads a number as typed; an incomplete one is no value yet.
func parseNumber(s string) any {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return nil
	}
	return f
}

// formatCondValue shows a value in an input.
func formatCondValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

package frontend

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// valueInput edits a condition's value with the input its type needs: text,
// a number, true/false, or a number of days.
type valueInput struct {
	app.Compo
	IScope string
	IPath  []int
	IKind  portal.ValueKind
	IOp    portal.Operator
	IValue any
}

func (c *valueInput) Render() app.UI {
	ref := ruleRef{Scope: c.IScope, Path: c.IPath}
	post := func(ctx app.Context, v any, immediate bool) {
		ctx.NewActionWithValue(actionEdit, edit{immediate: immediate, apply: func(st *portal.Settings) { setValue(st, ref, v) }})
	}
	// A number being typed ("1.", "-") is shown as typed and saved as no
	// value yet.
	number := func(ctx app.Context, text string) { post(ctx, parseNumber(text), false) }
	switch valueShape(c.IKind, c.IOp) {
	case "none":
		return app.Span().Class("cond-value none")
	case "days":
		return app.Span().Class("days").Body(
			&liveInput{IType: "number", IClass: "cond-value", IValue: formatCondValue(c.IValue), ILabel: "days", IMin: "0", IStep: "1", IOnInput: number},
			app.Span().Class("suffix").Text("days ago"),
		)
	case string(portal.KindBoolean):
		return app.Select().Class("cond-value").Aria("label", "value").OnChange(func(ctx app.Context, e app.Event) {
			post(ctx, ctx.JSSrc().Get("value").String() == "true", true)
		}).Body(
			app.Option().Value("true").Selected(c.IValue == true).Text("true"),
			app.Option().Value("false").Selected(c.IValue == false).Text("false"),
		)
	case string(portal.KindNumber):
		return &liveInput{IType: "number", IClass: "cond-value", IValue: formatCondValue(c.IValue), IPlaceholder: "a number", ILabel: "value", IStep: "any", IOnInput: number}
	}
	return &liveInput{IClass: "cond-value", IValue: formatCondValue(c.IValue), IPlaceholder: "value", ILabel: "value", IOnInput: func(ctx app.Context, text string) {
		post(ctx, text, false)
	}}
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

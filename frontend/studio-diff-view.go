package frontend

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// diffView shows the draft against live as a coloured unified diff, behind
// a "View changes" button.
type diffView struct {
	app.Compo

	diff diffState
	open bool
}

func (c *diffView) OnMount(ctx app.Context) {
	ctx.ObserveState(stateDiff, &c.diff)
}

func (c *diffView) Render() app.UI {
	d := c.diff.Data
	changed := d != nil && d.Changed
	label := "View changes"
	if c.open {
		label = "Hide changes"
	}
	head := app.Div().Class("diff-bar").Body(
		app.Span().Class("diff-summary").Text(c.summary()),
		disabledIf(!changed, app.Button().Class("btn btn-ghost").ID("view-diff")).Text(label).OnClick(func(ctx app.Context, e app.Event) {
			c.open = !c.open
		}),
	)
	// The changes in sentences, above the lines (backend/portal/words).
	var summary app.UI
	if changed && len(d.Summary) > 0 {
		summary = app.Ul().Class("change-summary").ID("change-summary").Body(app.Range(d.Summary).Slice(func(i int) app.UI {
			return app.Li().Class("change").Text(d.Summary[i])
		}))
	}
	if !c.open || !changed {
		return app.Div().Class("diff").Body(head, summary)
	}
	lines := strings.Split(strings.TrimSuffix(d.Unified, "\n"), "\n")
	return app.Div().Class("diff open").Body(
		head,
		summary,
		app.Pre().Class("diff-view").ID("diff-view").Body(
			app.Range(lines).Slice(func(i int) app.UI {
				l := lines[i]
				cls := diffLineClass(l)
				return app.Span().Class(cls).Text(l + "\n")
			}),
		),
	)
}

func (c *diffView) summary() string {
	switch {
	case c.diff.Status == Failed:
		return "The diff could not be computed: " + c.diff.Err.Message
	case c.diff.Data == nil:
		return "Comparing the draft with live…"
	case !c.diff.Data.Changed:
		return "The draft is the same as the live settings."
	}
	n := 0
	for _, l := range strings.Split(c.diff.Data.Unified, "\n") {
		if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") {
			n++
		}
	}
	return "The draft differs from the live settings (" + plural(n, "changed line", "changed lines") + "). It goes live when you push it to the portal server."
}

// diffLineClass is the class of a line of a unified diff: added, deleted,
// a hunk or file header, or context.
func diffLineClass(l string) string {
	cls := "diff-line"
	switch {
	case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		cls += " diff-file"
	case strings.HasPrefix(l, "@@"):
		cls += " diff-hunk"
	case strings.HasPrefix(l, "+"):
		cls += " diff-add"
	case strings.HasPrefix(l, "-"):
		cls += " diff-del"
	}
	return cls
}

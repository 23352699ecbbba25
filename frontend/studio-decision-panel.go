package frontend

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// decisionPanel explains what the portal decided for a user: access,
// restriction and the tabs, each with its reason and the evaluation trace.
type decisionPanel struct {
	app.Compo
	IResult *wire.PreviewResult
}

func (c *decisionPanel) Render() app.UI {
	r := c.IResult
	d := r.Decision
	tabs := make([]string, 0, len(r.Tabs))
	for _, t := range r.Tabs {
		tabs = append(tabs, tabLabels[t])
	}
	tabText := "none"
	if len(tabs) > 0 {
		tabText = strings.Join(tabs, " and ")
	}
	return app.Div().Class("decision").Body(
		verdict("access", r.Access, "Has access", "No access", said(r.AccessSentence, r.AccessReason), d.AccessTrace),
		app.If(r.Access, func() app.UI {
			return verdict("restricted", !r.Restricted, "Sees all company tickets", "Restricted to own tickets", said(r.RestrictedSentence, r.RestrictedReason), d.RestrictedTrace)
		}),
		app.P().Class("tabs-line").Body(app.Span().Class("hint").Text("Tabs: "), app.Strong().Class("tabs-value").Text(tabText)),
	)
}

// said is a decision's sentence (backend/portal/words: the schema's
// labels and the values that decided it), or its reason when the answer
// has none.
func said(sentence, reason string) string {
	if sentence != "" {
		return sentence
	}
	return reason
}

// because returns the reason part of a decision's sentence ("Has access:
// the access rule is Everyone." → "The access rule is Everyone."), or the
// whole of one that has no head.
func because(sentence string) string {
	head, why, found := strings.Cut(sentence, ": ")
	if !found || strings.ContainsAny(head, ".—") || why == "" {
		return sentence
	}
	return strings.ToUpper(why[:1]) + why[1:]
}

// verdict renders one decision: a badge, the reason and the trace.
func verdict(id string, good bool, yes, no, reason string, trace *portal.Trace) app.UI {
	cls, label, mark := "verdict good", yes, "✓"
	if !good {
		cls, label, mark = "verdict bad", no, "✗"
	}
	if id == "restricted" && !good {
		cls = "verdict warn"
		mark = "◐"
	}
	return app.Div().Class(cls).DataSet("decision", id).Body(
		app.Div().Class("verdict-head").Body(
			app.Span().Class("verdict-mark").Text(mark),
			app.Span().Class("verdict-label").Text(label),
		),
		// The badge says the decision; the line under it says why (the
		// sentence without its head: "Has access: …"), and carries the
		// whole sentence.
		app.P().Class("reason").DataSet("sentence", reason).Title(reason).Text(because(reason)),
		app.If(trace != nil, func() app.UI {
			return app.Details().Class("trace").Body(
				app.Summary().Text("Which conditions matched"),
				traceTree(*trace),
			)
		}),
	)
}

// traceTree renders how each node of a rule evaluated.
func traceTree(t portal.Trace) app.UI {
	mark, cls := "✓", "t-yes"
	if !t.Result {
		mark, cls = "✗", "t-no"
	}
	return app.Ul().Class("trace-tree").Body(
		app.Li().Class(cls).Body(
			app.Span().Class("t-mark").Text(mark),
			app.If(t.Sentence != "", func() app.UI { return app.Span().Class("t-rule").Text(t.Sentence) }).Else(func() app.UI {
				return app.Span().Class("t-rule").Body(
					app.Text(t.Rule),
					app.If(t.Detail != "", func() app.UI { return app.Span().Class("t-detail").Text(" — " + t.Detail) }),
				)
			}),
			app.Range(t.Children).Slice(func(i int) app.UI { return traceTree(t.Children[i]) }),
		),
	)
}

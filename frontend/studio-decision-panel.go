package frontend

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
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
		verdict("access", r.Access, "Has access", "No access", r.AccessSentence, d.AccessTrace),
		app.If(r.Access, func() app.UI {
			return verdict("restricted", !r.Restricted, "Sees all company tickets", "Restricted to own tickets", r.RestrictedSentence, d.RestrictedTrace)
		}),
		app.P().Class("tabs-line").Body(app.Span().Class("hint").Text("Tabs: "), app.Strong().Class("tabs-value").Text(tabText)),
	)
}

// verdict renders one decision: a badge, the reason and the trace. The
// reason is the decision's sentence (backend/portal/words: the schema's
// labels and the values that decided it), never the rule's internal form
// (the answer's access_reason / restricted_reason, kept for scripts).
func verdict(id string, good bool, yes, no, sentence string, trace *portal.Trace) app.UI {
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
		// The badge says the decision; the line under it says why, in
		// words (the sentence without its head: "Has access: …"), and
		// carries the whole sentence.
		app.P().Class("reason").DataSet("sentence", sentence).Text(words.Why(sentence)),
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
			app.Span().Class("t-rule").Text(nodeSentence(t)),
			app.Range(t.Children).Slice(func(i int) app.UI { return traceTree(t.Children[i]) }),
		),
	)
}

// nodeSentence says a trace node in words: its Sentence, which the studio
// fills; a node that came without one is said here with the standard
// labels (custom keys in words), never in the rule's internal form.
func nodeSentence(t portal.Trace) string {
	if t.Sentence != "" {
		return t.Sentence
	}
	return words.Node(t, nil)
}

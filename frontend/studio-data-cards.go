package frontend

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// dataCards are the Data page's cards: the workspace, import, demo data.
type dataCards struct {
	app.Compo

	overview  overviewState
	data      dataState
	dropping  bool
	demoUsers string
	// confirmDemo is how many demo users the admin is asked to confirm
	// (0: no question open).
	confirmDemo int
}

func (c *dataCards) OnMount(ctx app.Context) {
	ctx.ObserveState(stateOverview, &c.overview)
	ctx.ObserveState(stateData, &c.data)
	c.demoUsers = "2000"
}

func (c *dataCards) Render() app.UI {
	return app.Div().Class("cards").Body(
		c.workspace(),
		c.progress(),
		c.importCard(),
		c.demoCard(),
	)
}

func (c *dataCards) workspace() app.UI {
	o := c.overview.Data
	if o == nil {
		return card("workspace-card", "Workspace", "", app.P().Class("hint").Text("Opening the workspace…"))
	}
	stat := func(n int, label string) app.UI {
		return app.Div().Class("stat").Body(app.Span().Class("stat-n").Text(formatInt(n)), app.Span().Class("stat-label").Text(label))
	}
	custom := 0
	for _, a := range o.Attributes {
		if a.Custom {
			custom++
		}
	}
	return card("workspace-card", "Workspace", o.Path,
		app.Div().Class("stats").ID("workspace-stats").Body(
			stat(o.Counts.Users, "users"),
			stat(o.Counts.Companies, "companies"),
			stat(o.Counts.Tickets, "tickets"),
			stat(o.Counts.TicketTypes, "ticket types"),
			stat(custom, "custom attributes"),
		),
	)
}

// progress shows the running job, the last result or error.
func (c *dataCards) progress() app.UI {
	d := c.data
	switch {
	case d.Running:
		pct := 0
		if d.Progress.Total > 0 {
			pct = int(d.Progress.Done * 100 / d.Progress.Total)
		}
		what := d.What
		if d.Progress.What != "" {
			what = d.Progress.What
		}
		return app.Div().Class("job").ID("job").Role("status").Body(
			app.Div().Class("job-head").Body(spinner(), app.Span().Text(" "+what+"… "+itoa(pct)+"%")),
			app.Div().Class("progress").Body(app.Div().Class("progress-bar").Style("width", itoa(pct)+"%")),
		)
	case d.Err != nil:
		return app.Div().Class("job").ID("job").Body(errorText(d.Err.Message), c.files())
	case d.Done != "":
		cls, head := "job done", "ok"
		if !d.clean() {
			// Rejected records or a file not imported: not a success to
			// show in green.
			cls, head = "job done partial", "warn-text"
		}
		return app.Div().Class(cls).ID("job").Role("status").Body(
			app.P().Class(head).ID("job-summary").Text(d.Done),
			c.files(),
			c.rejected(),
		)
	}
	return nil
}

// files lists the report of each file of a multi-file import.
func (c *dataCards) files() app.UI {
	fs := c.data.Files
	if len(fs) < 2 {
		return nil
	}
	return app.Ul().Class("file-reports").ID("file-reports").Body(app.Range(fs).Slice(func(i int) app.UI {
		f := fs[i]
		mark, cls, text := "✓", "file-report ok", ""
		switch {
		case f.Err != nil:
			mark, cls, text = "✗", "file-report failed", "not imported: "+sentence(f.Err.Message)
		default:
			r := f.Report
			text = plural(r.Contacts, "contact", "contacts") + ", " + plural(r.Companies, "company", "companies") + ", " + plural(r.Tickets, "ticket", "tickets") + "."
			if n := len(r.Rejected); n > 0 {
				mark, cls = "!", "file-report partial"
				text += " " + plural(n, "record", "records") + " rejected."
			}
		}
		return app.Li().Class(cls).DataSet("file", f.Name).Body(
			app.Span().Class("mark").Aria("hidden", "true").Text(mark),
			app.Span().Class("file-name").Text(f.Name),
			app.Span().Class("file-text").Text(text),
		)
	}))
}

func (c *dataCards) rejected() app.UI {
	r := c.data.Report
	if r == nil || len(r.Rejected) == 0 {
		return nil
	}
	return app.Table().Class("rejected").ID("rejected").Body(
		app.THead().Body(app.Tr().Body(app.Th().Text("File"), app.Th().Text("Line"), app.Th().Text("Record"), app.Th().Text("Reason"))),
		app.TBody().Body(app.Range(r.Rejected).Slice(func(i int) app.UI {
			x := r.Rejected[i]
			rec := x.Kind
			if x.ID != "" {
				rec += " " + x.ID
			}
			return app.Tr().Body(app.Td().Text(x.File), app.Td().Text(itoa(x.Line)), app.Td().Text(rec), app.Td().Text(sentence(x.Reason)))
		})),
	)
}

func (c *dataCards) importCard() app.UI {
	cls := "dropzone"
	if c.dropping {
		cls += " over"
	}
	busy := c.data.Running
	return card("import-card", "Import from Intercom",
		"Intercom REST API JSON or JSON Lines: contacts, companies and tickets, as single objects or list envelopes. Records are upserted by id; a file that is not JSON changes nothing, and every rejected record is listed with its file, line and reason.",
		app.Label().Class(cls).ID("dropzone").
			OnDragOver(func(ctx app.Context, e app.Event) {
				e.PreventDefault()
				if !c.dropping {
					c.dropping = true
				} else {
					ctx.PreventUpdate()
				}
			}).
			OnDragLeave(func(ctx app.Context, e app.Event) { c.dropping = false }).
			OnDrop(func(ctx app.Context, e app.Event) {
				e.PreventDefault()
				c.dropping = false
				if busy {
					return
				}
				ctx.NewActionWithValue(actionImport, e.Get("dataTransfer").Get("files"))
			}).
			Body(
				app.Span().Class("drop-icon").Text("⇪"),
				app.Span().Class("drop-text").Text("Drop Intercom API files here, or choose them"),
				disabledIf(busy, app.Input().Type("file").ID("import-file").Multiple(true).Accept(".json,.jsonl,.ndjson,application/json")).OnChange(func(ctx app.Context, e app.Event) {
					ctx.NewActionWithValue(actionImport, ctx.JSSrc().Get("files"))
				}),
			),
	)
}

func (c *dataCards) demoCard() app.UI {
	return card("demo-card", "Demo data",
		"Replace the dataset with a realistic demo: companies with plans and domains, users with company e-mail addresses (some in several companies), tickets of every category with replies and internal notes. The settings are kept.",
		app.Div().Class("demo-row").Body(
			app.Label().For("demo-users").Class("field-label").Text("Users"),
			app.Input().Type("number").ID("demo-users").Min(10).Max(2000000).Step(10).Value(c.demoUsers).OnInput(func(ctx app.Context, e app.Event) {
				c.demoUsers = ctx.JSSrc().Get("value").String()
			}),
			app.Span().Class("hint").Text("with a company for every 10 users and 2 tickets per user"),
			disabledIf(c.data.Running || c.confirmDemo > 0, app.Button().Class("btn btn-danger").ID("demo-generate")).Text("Regenerate demo data").OnClick(func(ctx app.Context, e app.Event) {
				n, err := strconv.Atoi(c.demoUsers)
				if err != nil || n < 10 {
					n = 2000
				}
				c.confirmDemo = n
				ctx.Defer(func(ctx app.Context) { focusByID("demo-confirm-no") })
			}),
		),
		// The confirmation, in the page: nothing is replaced until the
		// admin says so.
		app.If(c.confirmDemo > 0, func() app.UI {
			n := c.confirmDemo
			return app.Div().Class("confirm-box").ID("demo-confirm").Role("alertdialog").Aria("labelledby", "demo-confirm-text").Body(
				app.P().ID("demo-confirm-text").Text("Replace every user, company and ticket of this workspace with "+formatInt(n)+" demo users? The settings are kept."),
				app.Div().Class("confirm-actions").Body(
					app.Button().Class("btn btn-danger").ID("demo-confirm-yes").Text("Replace with demo data").OnClick(func(ctx app.Context, e app.Event) {
						c.confirmDemo = 0
						ctx.NewActionWithValue(actionDemo, DemoRequest{Users: n, Companies: max(1, n/10), Tickets: 2 * n})
					}),
					app.Button().Class("btn").ID("demo-confirm-no").Text("Cancel").OnClick(func(ctx app.Context, e app.Event) {
						c.confirmDemo = 0
						ctx.Defer(func(ctx app.Context) { focusByID("demo-generate") })
					}),
				),
			).OnKeyDown(func(ctx app.Context, e app.Event) {
				if e.Get("key").String() == "Escape" {
					c.confirmDemo = 0
				}
			})
		}),
	)
}

// focusByID gives the keyboard focus to the element with that ID.
func focusByID(id string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Call("focus")
	}
}

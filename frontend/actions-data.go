package frontend

import (
	"context"
	"time"

	"portalstudio/backend/portal"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Actions of the Data page.
const (
	actionImport = "data/import" // Value: app.Value, a FileList
	actionDemo   = "data/demo"   // Value: DemoRequest
)

func init() {
	app.Handle(actionImport, handleImport)
	app.Handle(actionDemo, handleDemo)
}

// maxImportBytes bounds one imported file: it travels to the backend in
// one call.
const maxImportBytes = 256 << 20

// begin marks a job as running, unless one already is.
func begin(ctx app.Context, what string) bool {
	ok := false
	update(ctx, stateData, func(d *dataState) {
		if d.Running {
			return
		}
		ok = true
		*d = dataState{Running: true, What: what}
	})
	return ok
}

// pollProgress shows the backend's progress until ctx is done.
func pollProgress(ctx app.Context, stop context.Context) {
	for {
		select {
		case <-stop.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
		var p JobProgress
		if err := bridge().Call(stop, "Progress", &p); err != nil {
			continue
		}
		update(ctx, stateData, func(d *dataState) {
			if d.Running {
				d.Progress = p
			}
		})
	}
}

func handleImport(ctx app.Context, a app.Action) {
	files, ok := a.Value.(app.Value)
	if !ok || !files.Truthy() || files.Length() == 0 {
		return
	}
	if !begin(ctx, "Importing") {
		return
	}
	stop, cancel := context.WithCancel(ctx)
	go pollProgress(ctx, stop)
	total := &portal.ImportReport{Rejected: nil}
	var failed *WireError
	for i := 0; i < files.Length(); i++ {
		f := files.Index(i)
		name := f.Get("name").String()
		if f.Get("size").Int() > maxImportBytes {
			failed = &WireError{Code: "too_large", Message: name + " is larger than 256 MB; import it with portalstudio import instead."}
			break
		}
		text, rejected, err := await(ctx, f.Call("text"))
		if err != nil || rejected {
			failed = &WireError{Code: codeInternal, Message: "Could not read " + name + "."}
			break
		}
		var rep portal.ImportReport
		if err := bridge().Call(ctx, "ImportData", &rep, name, text.String()); err != nil {
			failed = toWire(err)
			failed.Message = name + ": " + failed.Message
			break
		}
		total.Contacts += rep.Contacts
		total.Companies += rep.Companies
		total.Tickets += rep.Tickets
		total.Parts += rep.Parts
		total.Rejected = append(total.Rejected, rep.Rejected...)
		total.Committed = true
	}
	cancel()
	update(ctx, stateData, func(d *dataState) {
		d.Running = false
		d.Err = failed
		if total.Committed {
			d.Report = total
			d.Done = "Imported " + plural(total.Contacts, "contact", "contacts") + ", " + plural(total.Companies, "company", "companies") + " and " + plural(total.Tickets, "ticket", "tickets") + "."
			if n := len(total.Rejected); n > 0 {
				d.Done += " " + plural(n, "record was", "records were") + " rejected and skipped (listed below)."
			}
		}
	})
	afterDataChange(ctx)
}

func handleDemo(ctx app.Context, a app.Action) {
	req, ok := a.Value.(DemoRequest)
	if !ok {
		return
	}
	if !begin(ctx, "Generating demo data") {
		return
	}
	stop, cancel := context.WithCancel(ctx)
	go pollProgress(ctx, stop)
	var rep portal.ImportReport
	err := bridge().Call(ctx, "GenerateDemo", &rep, req)
	cancel()
	update(ctx, stateData, func(d *dataState) {
		d.Running = false
		if err != nil {
			d.Err = toWire(err)
			return
		}
		d.Report = &rep
		d.Done = "Generated " + plural(rep.Contacts, "user", "users") + ", " + plural(rep.Companies, "company", "companies") + " and " + plural(rep.Tickets, "ticket", "tickets") + "."
	})
	afterDataChange(ctx)
}

// afterDataChange reloads what depends on the dataset: the workspace
// summary, the draft (a demo may seed it), the audiences and the preview.
func afterDataChange(ctx app.Context) {
	ctx.SetState(statePreview, previewState{})
	handleLoad(ctx, app.Action{Name: actionLoad, Tags: app.Tags{"force": "true"}})
}

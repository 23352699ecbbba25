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

// handleImport imports each file on its own (a broken file changes
// nothing, the others are imported) and reports on each.
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
	total := &portal.ImportReport{}
	var reports []fileReport
	failed := 0
	for i := 0; i < files.Length(); i++ {
		fr := importFile(ctx, files.Index(i))
		reports = append(reports, fr)
		if fr.Err != nil {
			failed++
			continue
		}
		total.Contacts += fr.Report.Contacts
		total.Companies += fr.Report.Companies
		total.Tickets += fr.Report.Tickets
		total.Parts += fr.Report.Parts
		total.Rejected = append(total.Rejected, fr.Report.Rejected...)
		total.Committed = true
	}
	cancel()
	update(ctx, stateData, func(d *dataState) {
		d.Running = false
		d.Files = reports
		if !total.Committed {
			// Nothing was imported: the one error, or one per file below.
			first := reports[0]
			d.Err = &WireError{Code: first.Err.Code, Message: first.Name + ": " + first.Err.Message}
			if len(reports) > 1 {
				d.Err = &WireError{Code: reports[0].Err.Code, Message: "None of the " + itoa(len(reports)) + " files was imported (each file's reason is below)."}
			}
			return
		}
		d.Report = total
		d.Done = "Imported " + plural(total.Contacts, "contact", "contacts") + ", " + plural(total.Companies, "company", "companies") + " and " + plural(total.Tickets, "ticket", "tickets") + "."
		if n := len(total.Rejected); n > 0 {
			d.Done += " " + plural(n, "record was", "records were") + " rejected and skipped (listed below)."
		}
		if failed > 0 {
			d.Done += " " + plural(failed, "file was", "files were") + " not imported (see below)."
		}
	})
	afterDataChange(ctx)
}

// importFile reads one file of a FileList and imports it.
func importFile(ctx app.Context, f app.Value) fileReport {
	name := f.Get("name").String()
	fr := fileReport{Name: name}
	if f.Get("size").Int() > maxImportBytes {
		fr.Err = &WireError{Code: "too_large", Message: "It is larger than 256 MB, more than the app imports at once; split it into smaller files, or import it from the command line."}
		return fr
	}
	text, rejected, err := await(ctx, f.Call("text"))
	if err != nil || rejected {
		fr.Err = &WireError{Code: codeInternal, Message: "Could not read the file."}
		return fr
	}
	var rep portal.ImportReport
	if err := bridge().Call(ctx, "ImportData", &rep, name, text.String()); err != nil {
		fr.Err = toWire(err)
		return fr
	}
	fr.Report = &rep
	return fr
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

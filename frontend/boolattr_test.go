package frontend

import (
	"regexp"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// falseBoolean is an HTML boolean attribute written with the value
// "false", which still sets it (disabled="false" disables).
var falseBoolean = regexp.MustCompile(`\s(disabled|checked|selected|hidden|readonly|required|multiple|autofocus|open|async|defer|novalidate|formnovalidate|inert|reversed|default)="false"`)

// The studio's pages and their cards, prerendered in the states an admin
// meets (loaded, busy, idle, switches off and on), carry no false boolean
// attribute: what is off is left out. What is on is still written.
func TestStudioWritesNoFalseBooleanAttribute(t *testing.T) {
	off := demoSettings()
	off.Portal.Enabled = false
	off.Visibility.RestrictToOwn = false
	on := demoSettings()
	on.IdentityVerification = true
	on.HelpCenter.Live = true
	overview := overviewState{Status: Loaded, Data: &Overview{Attributes: attrs()}}
	connected := syncState{Status: Loaded, Info: &wire.SyncStatus{Server: "http://127.0.0.1:8080", HasToken: true, Connected: true, LiveVersion: 3}}
	busy := connected
	busy.Busy = "pull"
	impact := &wire.ImpactResult{Summary: "This change removes access for 3 users.",
		LoseAccess: wire.ImpactGroup{Count: 30, Users: []portal.ImpactUser{{ID: "u1", Email: "ann@examply.com", Name: "Ann", Sentence: "Ann loses access."}}}}
	pair := wire.SamplePair{Restricted: &portal.UserSummary{ID: "u1", Name: "Ann"}, Unrestricted: &portal.UserSummary{ID: "u2", Name: "Ben"}, Hidden: 2}
	preview := previewState{Samples: &wire.Samples{Pairs: []wire.SamplePair{pair}}}
	preview.Panes[0].User, preview.Panes[1].User = pair.Restricted, pair.Unrestricted
	boolAttr := portal.Attribute{Name: "user.custom.is_admin", Kind: portal.KindBoolean}

	pages := map[string]app.UI{
		"settings page": &settingsPage{}, "preview page": &previewPage{}, "data page": &dataPage{},
	}
	for name, st := range map[string]*portal.Settings{"off": off, "on": on} {
		d := draftState{Status: Loaded, Settings: st}
		pages["access card, "+name] = &accessCard{draft: d, overview: overview}
		pages["visibility card, "+name] = &visibilityCard{draft: d, overview: overview}
		pages["portal card, "+name] = &portalCard{draft: d, overview: overview}
		pages["help center card, "+name] = &helpCenterCard{draft: d, dragFrom: -1, dragOver: -1}
		pages["messenger card, "+name] = &messengerCard{draft: d}
		pages["preview column card, "+name] = &previewColumnCard{draft: d}
		pages["settings cards, "+name] = &settingsCards{draft: d}
	}
	for name, c := range map[string]app.UI{
		"sync card, not connected":  &syncCard{sync: syncState{Status: Loaded, Info: &wire.SyncStatus{}}},
		"sync card, connected":      &syncCard{sync: connected},
		"sync card, with the data":  &syncCard{sync: connected, data: true},
		"sync card, pulling":        &syncCard{sync: busy},
		"go live card, idle":        &goLiveCard{sync: connected},
		"go live card, pushing":     &goLiveCard{sync: syncState{Status: Loaded, Info: connected.Info, Busy: "push"}},
		"impact panel":              &impactPanel{impact: impactState{Status: Loaded, Data: impact}},
		"impact panel, users shown": &impactPanel{impact: impactState{Status: Loaded, Data: impact}, open: portal.LoseAccess},
		"diff view, unchanged":      &diffView{diff: diffState{Status: Loaded, Data: &wire.DiffResult{}}},
		"diff view, changed":        &diffView{diff: diffState{Status: Loaded, Data: &wire.DiffResult{Changed: true, Unified: "-a\n+b\n"}}},
		"examples bar":              &examplesBar{preview: preview},
		"explain panel, left":       &explainPanel{preview: preview},
		"explain panel, right":      &explainPanel{preview: preview, pane: 1},
		"rule builder, all":         &ruleBuilder{IScope: scopeAccess, IRule: demoSettings().Access.Rule, IAttributes: attrs()},
		"rule builder, any":         &ruleBuilder{IScope: scopeAccess, IRule: portal.AnyOf(portal.Cond("user.role", portal.OpEquals, "user")), IAttributes: attrs()},
		"value input, false":        &valueInput{IScope: scopeAccess, IPath: []int{0}, IAttr: boolAttr, IOp: portal.OpEquals, IValue: false},
		"value input, true":         &valueInput{IScope: scopeAccess, IPath: []int{0}, IAttr: boolAttr, IOp: portal.OpEquals, IValue: true},
		"data cards, idle":          &dataCards{overview: overview},
		"data cards, importing":     &dataCards{overview: overview, data: dataState{Running: true, What: "import"}},
	} {
		pages[name] = c
	}
	for name, c := range pages {
		h := app.HTMLString(c)
		if m := falseBoolean.FindAllString(h, -1); len(m) > 0 {
			t.Errorf("%s writes %v:\n%s", name, m, h)
		}
	}

	// What is true is still written (go-app writes attributes in map
	// order: the element's tag is searched whole).
	tag := func(h, tagName, marker string) string {
		return regexp.MustCompile(`<` + tagName + `[^>]*` + regexp.QuoteMeta(marker) + `[^>]*>`).FindString(h)
	}
	bare := func(attr string) *regexp.Regexp { return regexp.MustCompile(`\s` + attr + `[\s>]`) }
	for _, c := range []struct {
		name, tagName, marker, attr string
		ui                          app.UI
	}{
		{"the portal's Enable switch, on", "input", `id="portal-enabled"`, "checked", &portalCard{draft: draftState{Status: Loaded, Settings: on}, overview: overview}},
		{"Go live while pushing", "button", `id="go-live"`, "disabled", &goLiveCard{sync: syncState{Status: Loaded, Info: connected.Info, Busy: "push"}}},
		{"the explain panel's left user", "option", `value="0"`, "selected", &explainPanel{preview: preview}},
		{"a true value's switch", "input", `class="cond-switch"`, "checked", &valueInput{IScope: scopeAccess, IPath: []int{0}, IAttr: boolAttr, IOp: portal.OpEquals, IValue: true}},
	} {
		h := app.HTMLString(c.ui)
		if el := tag(h, c.tagName, c.marker); !bare(c.attr).MatchString(el) {
			t.Errorf("%s: %q has no %s in\n%s", c.name, el, c.attr, h)
		}
	}
}

package frontend

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// ruleBuilder edits an audience rule: conditions on Person or Company
// attributes, in "all"/"any" groups that nest.
type ruleBuilder struct {
	app.Compo
	IScope      string
	IRule       *portal.Rule
	IAttributes []portal.Attribute
	IProblems   []portal.Problem
	IAddLabel   string // "+ Add new", "+ Add condition"
	INoRule     string // shown when the rule is null
	IEveryone   string // shown when the rule has no conditions
	IInactive   bool   // kept but not applied (visibility off)

	picking string // the group whose attribute picker is open ("" none)
}

func (c *ruleBuilder) Render() app.UI {
	root := groupRoot(c.IRule)
	cls := "rule-builder"
	if c.IInactive {
		cls += " inactive"
	}
	ref := ruleRef{Scope: c.IScope}
	var body app.UI
	switch {
	case root == nil:
		body = app.P().Class("rule-empty").ID(c.IScope + "-rule-empty").Text(c.INoRule)
	case len(root.Children()) == 0:
		body = app.P().Class("rule-empty").ID(c.IScope + "-rule-empty").Text(c.IEveryone)
	default:
		body = c.group(root, ref, 0)
	}
	var rootProblem string
	for _, p := range c.IProblems {
		if p.Path == rulePath(c.IScope) {
			rootProblem = p.Message
		}
	}
	return app.Div().Class(cls).ID(c.IScope+"-builder").Body(
		body,
		errorText(rootProblem),
		app.Div().Class("rule-actions").Body(
			c.adder(ref, c.IAddLabel, c.IScope+"-add"),
			app.If(root != nil && len(root.Children()) > 0, func() app.UI {
				return app.Button().Class("btn btn-ghost").ID(c.IScope + "-add-group").Text("+ Add group").OnClick(func(ctx app.Context, e app.Event) {
					if len(c.IAttributes) == 0 {
						return
					}
					a := c.IAttributes[0]
					ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) {
						addNode(st, ref, portal.AnyOf(newCondition(a)))
					}})
				})
			}),
		),
	)
}

// group renders a group's conditions, joined by "and" / "or".
func (c *ruleBuilder) group(g *portal.Rule, ref ruleRef, depth int) app.UI {
	kids := g.Children()
	joiner := "and"
	if g.IsAny() {
		joiner = "or"
	}
	rows := make([]app.UI, 0, 2*len(kids))
	for i, k := range kids {
		if i > 0 {
			rows = append(rows, app.Div().Class("joiner").Text(joiner))
		}
		kref := ref.child(i)
		if k == nil {
			continue
		}
		if k.Cond != nil {
			rows = append(rows, &conditionRow{
				IScope:      c.IScope,
				IPath:       kref.Path,
				ICond:       *k.Cond,
				IAttributes: c.IAttributes,
				IProblem:    c.problemFor(kref),
			})
			continue
		}
		rows = append(rows, c.group(k, kref, depth+1))
	}
	kind := app.Select().Class("group-kind").Aria("label", "how conditions combine").OnChange(func(ctx app.Context, e app.Event) {
		any := ctx.JSSrc().Get("value").String() == "any"
		ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) { setGroupKind(st, ref, any) }})
	}).Body(
		selectedIf(!g.IsAny(), app.Option().Value("all")).Text("all"),
		selectedIf(g.IsAny(), app.Option().Value("any")).Text("any"),
	)
	if depth == 0 {
		return app.Div().Class("group root").DataSet("kind", joiner).Body(
			app.P().Class("group-head").Body(app.Text("Users who match "), kind, app.Text(" of these conditions")),
			app.Div().Class("group-rows").Body(rows...),
		)
	}
	return app.Div().Class("group nested").DataSet("kind", joiner).Body(
		app.Div().Class("group-head").Body(
			app.Span().Body(kind, app.Text(" of:")),
			app.Button().Class("icon-btn").Title("Remove this group").Aria("label", "Remove this group").Text("×").OnClick(func(ctx app.Context, e app.Event) {
				ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) { removeNode(st, ref) }})
			}),
		),
		app.Div().Class("group-rows").Body(rows...),
		c.adder(ref, "+ Add condition", ""),
	)
}

// problemFor returns the problem of the condition at ref, if any.
func (c *ruleBuilder) problemFor(ref ruleRef) string {
	path := ref.jsonPath(c.IRule)
	var msgs []string
	for _, p := range c.IProblems {
		if p.Path == path || strings.HasPrefix(p.Path, path+".") {
			msgs = append(msgs, p.Message)
		}
	}
	return strings.Join(msgs, " ")
}

// adder is the "+ Add" button of a group, which opens the attribute
// picker.
func (c *ruleBuilder) adder(ref ruleRef, label, id string) app.UI {
	key := c.IScope + ":" + pathKey(ref.Path)
	if c.picking != key {
		return app.Button().Class("btn btn-add").ID(id).Text(label).OnClick(func(ctx app.Context, e app.Event) {
			c.picking = key
		})
	}
	pickerID := ""
	if id != "" {
		pickerID = id + "-attr"
	}
	return app.Div().Class("picker").Body(
		attributeSelect(pickerID, "", c.IAttributes, true, func(ctx app.Context, a portal.Attribute) {
			c.picking = ""
			ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) {
				addNode(st, ref, newCondition(a))
			}})
		}),
		app.Button().Class("btn btn-link").Text("Cancel").OnClick(func(ctx app.Context, e app.Event) { c.picking = "" }),
	)
}

func pathKey(p []int) string {
	var b strings.Builder
	for _, i := range p {
		b.WriteString(itoa(i))
		b.WriteByte('.')
	}
	return b.String()
}

// attributeSelect renders a select of the attributes, grouped as Person and
// Company data; with placeholder it starts on "Choose an attribute…".
func attributeSelect(id, selected string, attrs []portal.Attribute, placeholder bool, pick func(app.Context, portal.Attribute)) app.UI {
	group := func(label string, scope portal.Scope) app.UI {
		var opts []app.UI
		for _, a := range attrs {
			if a.Scope != scope {
				continue
			}
			opts = append(opts, selectedIf(a.Name == selected, app.Option().Value(a.Name)).Text(a.Named()))
		}
		return app.OptGroup().Label(label).Body(opts...)
	}
	sel := app.Select().Class("attr-select").Aria("label", "attribute").OnChange(func(ctx app.Context, e app.Event) {
		name := ctx.JSSrc().Get("value").String()
		for _, a := range attrs {
			if a.Name == name {
				pick(ctx, a)
				return
			}
		}
	})
	if id != "" {
		sel = sel.ID(id)
	}
	var first app.UI
	if placeholder {
		first = app.Option().Value("").Selected(true).Disabled(true).Text("Choose a Person or Company attribute…")
	}
	return sel.Body(first, group("Person", portal.ScopeUser), group("Company", portal.ScopeCompany))
}

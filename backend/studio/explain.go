package studio

import (
	"context"
	"fmt"
	"strings"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
	"portalstudio/backend/wire"
)

// Explain says whether a user sees a ticket in the portal under the draft
// (or live) settings, and why: the portal switch, the access rule and the
// condition that decided it, the ticket's category and shared flag, the
// restriction and its condition, who created the ticket and whose company
// it carries. Unlike the portal, it names tickets the user may not see:
// it is for the admin.
func (s *Service) Explain(ctx context.Context, req wire.ExplainRequest) (*wire.ExplainResult, error) {
	ctx = portal.BeginReads(ctx) // its reads share one check of the store's cache
	u, err := s.Store.FindUser(ctx, req.User)
	if err != nil {
		return nil, err
	}
	if req.Ticket == "" {
		return nil, portal.Errorf(portal.EINVALID, "no ticket given; pass its id or its number")
	}
	id, err := s.Store.FindTicket(ctx, req.Ticket)
	if err != nil {
		return nil, portal.Errorf(portal.ENOTFOUND, "no ticket has the id or number %q", req.Ticket)
	}
	t, err := s.Store.Ticket(ctx, id)
	if err != nil {
		return nil, err
	}
	dc, err := s.decideFor(ctx, req.Settings, u, req.Now)
	if err != nil {
		return nil, err
	}
	res, err := s.explainTicket(ctx, dc.st, dc.d, u, t)
	if err != nil {
		return nil, err
	}
	res.User = userInfo(u, dc.sub)
	res.Settings = req.Settings
	if res.Settings == "" {
		res.Settings = Draft
	}
	return res, nil
}

// explainTicket is ExplainTicketFor with the creator's and the
// company's names looked up, and its steps said with the schema's
// labels.
func (s *Service) explainTicket(ctx context.Context, st *portal.Settings, d portal.Decision, u *portal.User, t *portal.Ticket) (*wire.ExplainResult, error) {
	names, err := s.Store.UserNames(ctx, []string{t.CreatorID()})
	if err != nil {
		return nil, err
	}
	company := ""
	if t.CompanyID != "" {
		cs, err := s.Store.Companies(ctx, []string{t.CompanyID})
		if err != nil {
			return nil, err
		}
		if len(cs) == 1 {
			company = cs[0].Name
		}
	}
	schema, err := s.Store.Schema(ctx)
	if err != nil {
		return nil, err
	}
	return SayExplanation(ExplainTicketFor(st, d, u, t, names[t.CreatorID()], company), st, d, schema), nil
}

// SayExplanation fills the Sentence of each step of an explanation of
// decision d (made under st): the access and restriction steps say the
// condition that decided them with the schema's labels and whose value
// did; the others are sentences already. A verdict of no access ends
// with the access sentence instead of the rule's internal form.
func SayExplanation(res *wire.ExplainResult, st *portal.Settings, d portal.Decision, schema *portal.Schema) *wire.ExplainResult {
	d = words.Decision(d, schema)
	access, restricted := words.Access(st, d, schema), words.Restriction(st, d, schema)
	for i := range res.Steps {
		step := &res.Steps[i]
		switch step.Step {
		case "access":
			step.Sentence = access
			step.Trace = d.AccessTrace
		case "restriction":
			step.Sentence = restricted
			step.Trace = d.RestrictedTrace
		default:
			step.Sentence = step.Text
		}
	}
	if st.Portal.Enabled && !d.Access {
		why := strings.TrimPrefix(access, "No access: ")
		res.Verdict = strings.TrimSuffix(res.Verdict, d.AccessReason) + strings.ToUpper(why[:1]) + why[1:]
	}
	return res
}

// ExplainTicketFor builds the explanation of decision d (made under st)
// for user u and ticket t from the steps themselves: the verdict is
// derived here, step by step, and the tests prove it equals
// portal.CanSee for every user and ticket.
func ExplainTicketFor(st *portal.Settings, d portal.Decision, u *portal.User, t *portal.Ticket, creatorName, companyName string) *wire.ExplainResult {
	who := displayName(u)
	num := "#" + t.TicketID
	res := &wire.ExplainResult{
		Ticket: wire.ExplainTicket{ID: t.ID, TicketID: t.TicketID, Title: t.Title, Category: t.Category, IsShared: t.IsShared,
			CompanyID: t.CompanyID, CompanyName: companyName, CreatorID: t.CreatorID(), CreatorName: creatorName},
		Tabs:  []string{},
		Steps: []wire.ExplainStep{},
	}
	step := func(name string, ok bool, text string, tr *portal.Trace) {
		res.Steps = append(res.Steps, wire.ExplainStep{Step: name, OK: ok, Text: text, Trace: tr})
	}
	// 1. The portal switch.
	on := st.Portal.Enabled
	if on {
		step("portal", true, "The customer portal is on.", nil)
	} else {
		step("portal", false, "The customer portal is turned off, so no one can open it.", nil)
	}
	// 2. Access.
	access := on && d.Access
	step("access", access, d.AccessReason, d.AccessTrace)
	// 3. The ticket itself.
	eligible := t.Category == portal.CategoryCustomer && t.IsShared
	switch {
	case t.Category != portal.CategoryCustomer:
		step("ticket", false, fmt.Sprintf("Ticket %s is a %s ticket: the portal only ever shows Customer tickets.", num, t.Category), nil)
	case !t.IsShared:
		step("ticket", false, fmt.Sprintf("Ticket %s is a Customer ticket not shared with the customer (is_shared is false): the portal never shows it.", num), nil)
	default:
		step("ticket", true, fmt.Sprintf("Ticket %s is a Customer ticket shared with the customer.", num), nil)
	}
	// 4. Restriction.
	restricted := access && d.Restricted
	step("restriction", access && !restricted, d.RestrictedReason, d.RestrictedTrace)
	// 5. The creator.
	mine := u.ID != "" && t.CreatorID() == u.ID
	creator := creatorName
	if creator == "" {
		creator = t.CreatorID()
	}
	switch {
	case mine:
		step("creator", true, fmt.Sprintf("%s created ticket %s (its first contact), so it is on their Created by me tab.", who, num), nil)
	case t.CreatorID() == "":
		step("creator", false, fmt.Sprintf("Ticket %s has no contact, so no one created it in the portal's eyes.", num), nil)
	default:
		step("creator", false, fmt.Sprintf("Ticket %s was created by %s, not by %s.", num, creator, who), nil)
	}
	// 6. The company.
	inCompany := false
	for _, id := range u.CompanyIDs {
		if t.CompanyID != "" && id == t.CompanyID {
			inCompany = true
		}
	}
	cname := companyLabel(t.CompanyID, companyName)
	switch {
	case t.CompanyID == "":
		step("company", false, fmt.Sprintf("Ticket %s carries no company, so only its creator can see it.", num), nil)
	case inCompany:
		step("company", true, fmt.Sprintf("Ticket %s belongs to %s, one of %s's companies.", num, cname, who), nil)
	default:
		step("company", false, fmt.Sprintf("Ticket %s belongs to %s, which %s is not a member of.", num, cname, who), nil)
	}

	// The verdict, from the steps.
	if access && eligible {
		if mine {
			res.Tabs = append(res.Tabs, portal.TabMine)
		}
		if !restricted && (mine || inCompany) {
			res.Tabs = append([]string{portal.TabAll}, res.Tabs...)
		}
	}
	res.Visible = len(res.Tabs) > 0
	sees := fmt.Sprintf("%s sees ticket %s", who, num)
	doesNot := fmt.Sprintf("%s does not see ticket %s", who, num)
	switch {
	case res.Visible && mine && !restricted:
		res.Verdict = sees + " on the All and Created by me tabs: they created it."
	case res.Visible && mine:
		res.Verdict = sees + " on the Created by me tab: they created it (they are restricted to their own tickets)."
	case res.Visible:
		res.Verdict = fmt.Sprintf("%s on the All tab: it belongs to %s, one of their companies, and they are not restricted.", sees, cname)
	case !on:
		res.Verdict = doesNot + ": the customer portal is turned off."
	case !access:
		res.Verdict = doesNot + ": they have no access to the portal. " + d.AccessReason
	case !eligible:
		res.Verdict = doesNot + ": the portal only shows Customer tickets shared with the customer, and this one is not."
	case restricted && inCompany:
		res.Verdict = fmt.Sprintf("%s: it belongs to %s, one of their companies, but they are restricted to their own tickets and did not create it.", doesNot, cname)
	case t.CompanyID == "":
		res.Verdict = doesNot + ": they did not create it and it carries no company."
	default:
		res.Verdict = fmt.Sprintf("%s: they did not create it and it belongs to %s, which is not one of their companies.", doesNot, cname)
	}
	return res
}

func companyLabel(id, name string) string {
	if name == "" {
		return "company " + id
	}
	return name + " (" + id + ")"
}

// compareMax bounds the tickets read per user for a comparison.
const compareMax = 2000

// compareList bounds the tickets listed per side.
const compareList = 50

// Compare lists the tickets one user sees and the other does not (every
// tab of each), newest first.
func (s *Service) Compare(ctx context.Context, req wire.CompareRequest) (*wire.CompareResult, error) {
	res := &wire.CompareResult{OnlyA: []wire.TicketView{}, OnlyB: []wire.TicketView{}}
	var seen [2][]portal.Ticket
	for i, key := range []string{req.A, req.B} {
		u, err := s.Store.FindUser(ctx, key)
		if err != nil {
			return nil, err
		}
		sum := portal.UserSummary{ID: u.ID, Email: u.Email, Name: u.Name}
		if i == 0 {
			res.A = sum
		} else {
			res.B = sum
		}
		dc, err := s.decideFor(ctx, req.Settings, u, req.Now)
		if err != nil {
			return nil, err
		}
		if !dc.d.Access {
			continue
		}
		tab := dc.d.Tabs[0] // All holds Created by me
		cursor := ""
		for len(seen[i]) < compareMax {
			page, err := s.Store.Tickets(ctx, portal.TicketQuery{UserID: u.ID, CompanyIDs: u.CompanyIDs, Tab: tab, Cursor: cursor, Limit: 200})
			if err != nil {
				return nil, err
			}
			seen[i] = append(seen[i], page.Tickets...)
			if page.Next == "" {
				break
			}
			cursor = page.Next
			if len(seen[i]) >= compareMax {
				res.Truncated = true
			}
		}
	}
	ids := [2]map[string]bool{{}, {}}
	for i := range seen {
		for _, t := range seen[i] {
			ids[i][t.ID] = true
		}
	}
	var only [2][]portal.Ticket
	for i := range seen {
		for _, t := range seen[i] {
			if ids[1-i][t.ID] {
				if i == 0 {
					res.Both++
				}
				continue
			}
			only[i] = append(only[i], t)
		}
	}
	res.OnlyACount, res.OnlyBCount = len(only[0]), len(only[1])
	for i := range only {
		list := only[i]
		if len(list) > compareList {
			list = list[:compareList]
		}
		views, err := s.views(ctx, list)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			res.OnlyA = views
		} else {
			res.OnlyB = views
		}
	}
	return res, nil
}

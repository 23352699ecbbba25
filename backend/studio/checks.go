package studio

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
	"portalstudio/backend/wire"
)

// Portal tests are expectations an admin writes once, as sentences, and
// keeps with the workspace (table portal_checks). They run against the
// draft in the app, against any document on demand (`portalstudio
// check`), and against the document about to go live before every push.

// checkForm is a sentence a portal test may be written as.
type checkForm struct {
	kind string
	re   *regexp.Regexp
}

// checkForms returns the sentences a portal test may be written as (case
// does not matter; a user is named by email, id or external_id; a ticket
// by id or number; a company by id, company_id or name). They are
// compiled at their first use, not when the package starts: every
// command starts it, few read a portal test (about 1,600 allocations).
var checkForms = sync.OnceValue(func() []checkForm {
	return []checkForm{
		{wire.CheckCannotAccess, regexp.MustCompile(`(?i)^(\S+)\s+(?:cannot|can't|can not)\s+access$`)},
		{wire.CheckCanAccess, regexp.MustCompile(`(?i)^(\S+)\s+can\s+access$`)},
		{wire.CheckNotRestricted, regexp.MustCompile(`(?i)^(\S+)\s+(?:is\s+not|isn't)\s+restricted$`)},
		{wire.CheckRestricted, regexp.MustCompile(`(?i)^(\S+)\s+is\s+restricted$`)},
		{wire.CheckNotSeesTicket, regexp.MustCompile(`(?i)^(\S+)\s+(?:does\s+not|doesn't)\s+see\s+ticket\s+#?(\S+)$`)},
		{wire.CheckSeesTicket, regexp.MustCompile(`(?i)^(\S+)\s+sees\s+ticket\s+#?(\S+)$`)},
		{wire.CheckCompanyIsolate, regexp.MustCompile(`(?i)^no\s+user\s+of\s+company\s+(.+?)\s+sees\s+tickets\s+of\s+company\s+(.+)$`)},
		{wire.CheckMaxRestricted, regexp.MustCompile(`(?i)^at\s+most\s+(\d+(?:\.\d+)?)\s*%\s+of\s+users\s+are\s+restricted$`)},
		{wire.CheckMinAccess, regexp.MustCompile(`(?i)^at\s+least\s+(\d+)\s+users?\s+(?:have|has)\s+access$`)},
	}
})

// checkHelp is what an error about a sentence that is not a portal test
// adds: one example of every kind.
func checkHelp() string {
	quoted := make([]string, len(wire.CheckExamples))
	for i, e := range wire.CheckExamples {
		quoted[i] = "“" + e.Text + "”"
	}
	return "A portal test is one sentence like these, with your own users, tickets, companies and numbers: " + strings.Join(quoted, ", ") + "."
}

// ParseCheck reads one portal test from its sentence and returns it with
// its canonical text.
func ParseCheck(text string) (wire.Check, error) {
	text = strings.Join(strings.Fields(text), " ")
	for _, f := range checkForms() {
		m := f.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		c := wire.Check{Kind: f.kind}
		switch f.kind {
		case wire.CheckCanAccess, wire.CheckCannotAccess, wire.CheckRestricted, wire.CheckNotRestricted:
			c.User = unquote(m[1])
		case wire.CheckSeesTicket, wire.CheckNotSeesTicket:
			c.User, c.Ticket = unquote(m[1]), unquote(m[2])
		case wire.CheckCompanyIsolate:
			c.Company, c.Other = unquote(m[1]), unquote(m[2])
		case wire.CheckMaxRestricted, wire.CheckMinAccess:
			n, err := strconv.ParseFloat(m[1], 64)
			if err != nil || (f.kind == wire.CheckMaxRestricted && n > 100) {
				return c, portal.Errorf(portal.EINVALID, "%q: the number must be from 0 to 100", text)
			}
			c.Number = n
		}
		c.Text = checkText(c)
		return c, nil
	}
	return wire.Check{}, portal.Errorf(portal.EINVALID, "%q is not a portal test. %s", text, checkHelp())
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// checkText is the canonical sentence of a check.
func checkText(c wire.Check) string {
	switch c.Kind {
	case wire.CheckCanAccess:
		return c.User + " can access"
	case wire.CheckCannotAccess:
		return c.User + " cannot access"
	case wire.CheckRestricted:
		return c.User + " is restricted"
	case wire.CheckNotRestricted:
		return c.User + " is not restricted"
	case wire.CheckSeesTicket:
		return c.User + " sees ticket " + c.Ticket
	case wire.CheckNotSeesTicket:
		return c.User + " does not see ticket " + c.Ticket
	case wire.CheckCompanyIsolate:
		return "no user of company " + c.Company + " sees tickets of company " + c.Other
	case wire.CheckMaxRestricted:
		return "at most " + strconv.FormatFloat(c.Number, 'f', -1, 64) + "% of users are restricted"
	case wire.CheckMinAccess:
		n := strconv.FormatFloat(c.Number, 'f', -1, 64)
		if c.Number == 1 {
			return "at least 1 user has access"
		}
		return "at least " + n + " users have access"
	}
	return c.Text
}

// Checks returns the workspace's portal tests.
func (s *Service) Checks(ctx context.Context) (*wire.CheckList, error) {
	stored, err := s.Store.Checks(ctx)
	if err != nil {
		return nil, err
	}
	out := &wire.CheckList{Checks: []wire.Check{}}
	for _, sc := range stored {
		c, err := ParseCheck(sc.Text)
		if err != nil {
			c = wire.Check{Text: sc.Text}
		}
		c.ID = sc.ID
		out.Checks = append(out.Checks, c)
	}
	return out, nil
}

// parseChecks parses sentences and checks that the users, tickets and
// companies they name exist, so a typo is caught when the test is written
// rather than when it first fails.
func (s *Service) parseChecks(ctx context.Context, texts []string) ([]string, error) {
	var out []string
	var problems []portal.Problem
	for i, t := range texts {
		c, err := ParseCheck(t)
		if err == nil {
			err = s.resolveCheck(ctx, c)
		}
		if err != nil {
			problems = append(problems, portal.Problem{Path: fmt.Sprintf("checks[%d]", i), Message: err.Error()})
			continue
		}
		out = append(out, c.Text)
	}
	if len(problems) > 0 {
		msg := problems[0].Message
		if len(problems) > 1 {
			msg = fmt.Sprintf("%d portal tests are wrong; nothing was changed. The first: %s", len(problems), msg)
		} else {
			msg += "; nothing was changed"
		}
		return nil, &portal.Error{Code: portal.EINVALID, Message: msg, Problems: problems}
	}
	return out, nil
}

// resolveCheck finds what a check names.
func (s *Service) resolveCheck(ctx context.Context, c wire.Check) error {
	if c.User != "" {
		if _, err := s.Store.FindUser(ctx, c.User); err != nil {
			return err
		}
	}
	if c.Ticket != "" {
		if _, err := s.Store.FindTicket(ctx, c.Ticket); err != nil {
			return portal.Errorf(portal.ENOTFOUND, "no ticket has the id or number %q", c.Ticket)
		}
	}
	for _, co := range []string{c.Company, c.Other} {
		if co != "" {
			if _, _, err := s.Store.FindCompany(ctx, co); err != nil {
				return err
			}
		}
	}
	return nil
}

// AddChecks adds portal tests, written as sentences; when one is wrong,
// none is added (the error says which, with its index).
func (s *Service) AddChecks(ctx context.Context, texts []string) (*wire.CheckList, error) {
	if len(texts) == 0 {
		return nil, portal.Errorf(portal.EINVALID, "no portal test given. %s", checkHelp())
	}
	canon, err := s.parseChecks(ctx, texts)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.AddChecks(ctx, canon); err != nil {
		return nil, err
	}
	return s.Checks(ctx)
}

// RemoveChecks removes portal tests by id.
func (s *Service) RemoveChecks(ctx context.Context, ids []int) (*wire.CheckList, error) {
	if err := s.Store.RemoveChecks(ctx, ids); err != nil {
		return nil, err
	}
	return s.Checks(ctx)
}

// ImportChecks replaces every portal test with those of a document: the
// JSON `check list --json` prints ({"checks": [{"text": …}, …]}), a JSON
// array of sentences, or plain text with one sentence per line (blank
// lines and lines starting with # are skipped). Nothing changes when one
// is wrong.
func (s *Service) ImportChecks(ctx context.Context, doc []byte) (*wire.CheckList, error) {
	texts, err := checkTexts(doc)
	if err != nil {
		return nil, err
	}
	canon, err := s.parseChecks(ctx, texts)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.ReplaceChecks(ctx, canon); err != nil {
		return nil, err
	}
	return s.Checks(ctx)
}

func checkTexts(doc []byte) ([]string, error) {
	trim := bytes.TrimSpace(doc)
	var texts []string
	switch {
	case bytes.HasPrefix(trim, []byte("{")):
		var list wire.CheckList
		if err := json.Unmarshal(trim, &list); err != nil {
			return nil, portal.Errorf(portal.EINVALID, "the portal tests are not valid JSON: %v", err)
		}
		for _, c := range list.Checks {
			texts = append(texts, c.Text)
		}
	case bytes.HasPrefix(trim, []byte("[")):
		if err := json.Unmarshal(trim, &texts); err != nil {
			return nil, portal.Errorf(portal.EINVALID, "the portal tests are not a JSON array of sentences: %v", err)
		}
	default:
		sc := bufio.NewScanner(bytes.NewReader(trim))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line != "" && !strings.HasPrefix(line, "#") {
				texts = append(texts, line)
			}
		}
	}
	return texts, nil
}

// RunChecks runs every portal test against the draft (default) or live
// settings.
func (s *Service) RunChecks(ctx context.Context, which string) (*wire.CheckReport, error) {
	st, err := s.settings(ctx, which)
	if err != nil {
		return nil, err
	}
	if which == "" {
		which = Draft
	}
	return s.CheckSettings(ctx, st, which, time.Time{})
}

// CheckSettings runs every portal test against st (label names it in the
// report) at now (zero: the service's now).
func (s *Service) CheckSettings(ctx context.Context, st *portal.Settings, label string, now time.Time) (*wire.CheckReport, error) {
	list, err := s.Checks(ctx)
	if err != nil {
		return nil, err
	}
	now = s.nowOr(now)
	r := &checkRun{s: s, st: st, now: now}
	rep := &wire.CheckReport{Settings: label, Results: []wire.CheckOutcome{}}
	for _, c := range list.Checks {
		pass, msg, err := r.run(ctx, c)
		if err != nil {
			if code := portal.ErrorCode(err); code != portal.ENOTFOUND && code != portal.EINVALID {
				return nil, err
			}
			// What it names is gone or ambiguous: the test fails, saying
			// why.
			pass, msg = false, "cannot be checked: "+err.Error()
		}
		rep.Results = append(rep.Results, wire.CheckOutcome{Check: c, Pass: pass, Message: msg})
		if pass {
			rep.Passed++
		} else {
			rep.Failed++
		}
	}
	return rep, nil
}

// checkRun runs checks against one document, computing its sets once.
type checkRun struct {
	s      *Service
	st     *portal.Settings
	now    time.Time
	schema *portal.Schema
	sets   *audience.PortalSets
	users  int
}

// schemaOf returns the workspace's schema, read once per run.
func (r *checkRun) schemaOf(ctx context.Context) (*portal.Schema, error) {
	if r.schema == nil {
		s, err := r.s.Store.Schema(ctx)
		if err != nil {
			return nil, err
		}
		r.schema = s
	}
	return r.schema, nil
}

func (r *checkRun) portalSets(ctx context.Context) (audience.PortalSets, error) {
	if r.sets != nil {
		return *r.sets, nil
	}
	schema, err := r.s.Store.Schema(ctx)
	if err != nil {
		return audience.PortalSets{}, err
	}
	p, err := r.s.Audiences.PortalSets(ctx, r.st, schema, r.now)
	if err != nil {
		return p, err
	}
	c, err := r.s.Store.Counts(ctx)
	if err != nil {
		return p, err
	}
	r.sets, r.users = &p, c.Users
	return p, nil
}

// run checks one expectation: whether it holds, and a sentence saying
// what was found.
func (r *checkRun) run(ctx context.Context, c wire.Check) (bool, string, error) {
	if c.Kind == "" {
		return false, "", portal.Errorf(portal.EINVALID, "%q is not a portal test any more; remove it", c.Text)
	}
	var u *portal.User
	var d portal.Decision
	if c.User != "" {
		var err error
		if u, err = r.s.Store.FindUser(ctx, c.User); err != nil {
			return false, "", err
		}
		if d, _, err = r.s.decide(ctx, r.st, u, r.now); err != nil {
			return false, "", err
		}
	}
	// What was found, said with the schema's labels and the values that
	// decided it.
	var access, restricted string
	if u != nil {
		schema, err := r.schemaOf(ctx)
		if err != nil {
			return false, "", err
		}
		access, restricted = words.Access(r.st, d, schema), words.Restriction(r.st, d, schema)
	}
	switch c.Kind {
	case wire.CheckCanAccess:
		return d.Access, access, nil
	case wire.CheckCannotAccess:
		return !d.Access, access, nil
	case wire.CheckRestricted:
		if !d.Access {
			return false, access, nil
		}
		return d.Restricted, restricted, nil
	case wire.CheckNotRestricted:
		if !d.Access {
			return false, access, nil
		}
		return !d.Restricted, restricted, nil
	case wire.CheckSeesTicket, wire.CheckNotSeesTicket:
		id, err := r.s.Store.FindTicket(ctx, c.Ticket)
		if err != nil {
			return false, "", portal.Errorf(portal.ENOTFOUND, "no ticket has the id or number %q", c.Ticket)
		}
		t, err := r.s.Store.Ticket(ctx, id)
		if err != nil {
			return false, "", err
		}
		sees := portal.CanSee(d, u.ID, u.CompanyIDs, t, "")
		ex, err := r.s.explainTicket(ctx, r.st, d, u, t)
		if err != nil {
			return false, "", err
		}
		if c.Kind == wire.CheckSeesTicket {
			return sees, ex.Verdict, nil
		}
		return !sees, ex.Verdict, nil
	case wire.CheckCompanyIsolate:
		a, aName, err := r.s.Store.FindCompany(ctx, c.Company)
		if err != nil {
			return false, "", err
		}
		b, bName, err := r.s.Store.FindCompany(ctx, c.Other)
		if err != nil {
			return false, "", err
		}
		p, err := r.portalSets(ctx)
		if err != nil {
			return false, "", err
		}
		ex, err := r.s.Audiences.CompanyExposure(ctx, p, a, b)
		if err != nil {
			return false, "", err
		}
		la, lb := companyLabel(a, aName), companyLabel(b, bName)
		n := int(ex.Users.GetCardinality())
		if n == 0 {
			return true, fmt.Sprintf("No user of %s sees any of the %s portal tickets of %s.", la, Thousands(ex.Tickets), lb), nil
		}
		first, err := r.s.Audiences.Summaries(ctx, ex.Users, 3)
		if err != nil {
			return false, "", err
		}
		names := make([]string, len(first))
		for i, u := range first {
			names[i] = u.Email
			if names[i] == "" {
				names[i] = u.ID
			}
		}
		var why []string
		if ex.ViaCompany > 0 {
			why = append(why, fmt.Sprintf("%s belong to both companies and are not restricted", Thousands(ex.ViaCompany)))
		}
		if ex.ViaOwn > 0 {
			why = append(why, fmt.Sprintf("%s created tickets carrying %s", Thousands(ex.ViaOwn), lb))
		}
		return false, fmt.Sprintf("%s of %s see tickets of %s (%s): %s.", users(n), la, lb, strings.Join(why, "; "), strings.Join(names, ", ")), nil
	case wire.CheckMaxRestricted:
		p, err := r.portalSets(ctx)
		if err != nil {
			return false, "", err
		}
		n := int(p.Restricted.GetCardinality())
		pct := 0.0
		if r.users > 0 {
			pct = 100 * float64(n) / float64(r.users)
		}
		return pct <= c.Number, fmt.Sprintf("%s of %s users (%.2f%%) are restricted.", Thousands(n), Thousands(r.users), pct), nil
	case wire.CheckMinAccess:
		p, err := r.portalSets(ctx)
		if err != nil {
			return false, "", err
		}
		n := int(p.Access.GetCardinality())
		return float64(n) >= c.Number, fmt.Sprintf("%s of %s users have access.", Thousands(n), Thousands(r.users)), nil
	}
	return false, "", portal.Errorf(portal.EINVALID, "unknown kind of portal test %q", c.Kind)
}

// FailureSummary says which tests failed, in one line.
func FailureSummary(rep *wire.CheckReport) string {
	var parts []string
	for _, o := range rep.Failures() {
		parts = append(parts, fmt.Sprintf("%q (%s)", o.Text, strings.TrimSuffix(o.Message, ".")))
	}
	return strings.Join(parts, "; ")
}

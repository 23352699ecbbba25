package demo

import "strings"

// Ticket text is made from templates with {placeholders}. Templates are
// parsed once into segments and filled by appending bytes, which keeps the
// hot path free of fmt and of string concatenation chains.

// Placeholder variables.
const (
	vFirst       = iota // the creator's first name
	vAdmin              // the assigned admin's first name
	vAdmin2             // another admin's first name
	vArea               // product area, capitalised: "Invoices"
	vAreaLower          // the same in lower case: "invoices"
	vCode               // HTTP status: "502"
	vErr                // error code: "ERR_TIMEOUT"
	vIntegration        // "Slack"
	vBrowser            // "Firefox"
	vPlan               // the ticket company's plan
	vPlan2              // another plan
	vMonth              // "March"
	vN                  // a small count: "25"
	vMB                 // a file size in MB
	vInvoice            // "INV-204113"
	vIdp                // identity provider: "Okta"
	vCity               // "Montréal"
	vEng                // an engineering ticket number
	vCompany            // the ticket company's name
	vEndpoint           // "/v2/invoices"
	vArticle            // help-center article slug
	vTopic              // the ticket's topic, from its template
	numVars
)

var varNames = map[string]int{
	"first": vFirst, "admin": vAdmin, "admin2": vAdmin2, "Area": vArea, "area": vAreaLower,
	"code": vCode, "err": vErr, "integration": vIntegration,
	"browser": vBrowser, "plan": vPlan, "plan2": vPlan2, "month": vMonth,
	"n": vN, "mb": vMB, "invoice": vInvoice, "idp": vIdp, "city": vCity,
	"eng": vEng, "company": vCompany, "endpoint": vEndpoint,
	"article": vArticle, "topic": vTopic,
}

// segment is a literal, or a variable when v >= 0.
type segment struct {
	lit string
	v   int
}

type tmpl []segment

// parse splits a template into segments; an unknown placeholder is a
// programming error and panics at start-up.
func parse(s string) tmpl {
	var t tmpl
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t = append(t, segment{lit: s, v: -1})
			break
		}
		if i > 0 {
			t = append(t, segment{lit: s[:i], v: -1})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			panic("demo: unclosed placeholder in " + s)
		}
		v, ok := varNames[s[i+1:i+j]]
		if !ok {
			panic("demo: unknown placeholder " + s[i:i+j+1])
		}
		t = append(t, segment{v: v})
		s = s[i+j+1:]
	}
	return t
}

func parseAll(list []string) []tmpl {
	out := make([]tmpl, len(list))
	for i, s := range list {
		out[i] = parse(s)
	}
	return out
}

// appendFill appends t filled with vars; with escape, variable values are
// HTML-escaped (the literals of HTML templates are already HTML).
func appendFill(buf []byte, t tmpl, vars *[numVars]string, escape bool) []byte {
	for _, s := range t {
		if s.v < 0 {
			buf = append(buf, s.lit...)
			continue
		}
		if escape {
			buf = appendEscaped(buf, vars[s.v])
		} else {
			buf = append(buf, vars[s.v]...)
		}
	}
	return buf
}

// appendEscaped appends s with &, <, >, " and ' escaped as
// html.EscapeString does.
func appendEscaped(buf []byte, s string) []byte {
	if !strings.ContainsAny(s, `&<>"'`) {
		return append(buf, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			buf = append(buf, "&amp;"...)
		case '<':
			buf = append(buf, "&lt;"...)
		case '>':
			buf = append(buf, "&gt;"...)
		case '"':
			buf = append(buf, "&#34;"...)
		case '\'':
			buf = append(buf, "&#39;"...)
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

// Values of the variables.
var (
	areas = [][2]string{
		{"Invoices", "invoices"}, {"Reports", "reports"}, {"Dashboard", "dashboard"},
		{"Billing", "billing"}, {"User management", "user management"},
		{"Projects", "projects"}, {"Time tracking", "time tracking"},
		{"Inventory", "inventory"}, {"Calendar", "calendar"},
		{"Analytics", "analytics"}, {"Contacts", "contacts"},
		{"Purchase orders", "purchase orders"}, {"Expenses", "expenses"},
		{"Payroll", "payroll"}, {"Audit log", "audit log"},
	}
	httpCodes    = []string{"500", "502", "502", "503", "504", "400", "403", "404", "409", "413", "422", "429"}
	errCodes     = []string{"ERR_TIMEOUT", "E_QUOTA_EXCEEDED", "ERR_SSO_STATE", "E1042", "E2210", "ERR_INVALID_TOTP"}
	integrations = []string{"Slack", "Salesforce", "HubSpot", "Jira", "Zapier", "QuickBooks", "Xero", "Google Drive", "Microsoft Teams", "Shopify", "Stripe", "NetSuite"}
	browsers     = []string{"Chrome", "Firefox", "Safari", "Edge", "Safari on iPad", "Chrome on Android"}
	smallCounts  = []string{"3", "5", "8", "10", "12", "20", "25", "40", "50", "100", "250"}
	fileSizes    = []string{"10", "20", "25", "50", "100"}
	idps         = []string{"Okta", "Azure AD", "Google Workspace", "OneLogin", "JumpCloud", "Auth0"}
	cities       = []string{"Montréal", "São Paulo", "Zürich", "Kraków", "Malmö", "Bogotá", "Reykjavík", "Düsseldorf", "Lyon", "Austin", "Singapore", "Dublin", "Nairobi", "Melbourne", "Toronto", "Osaka"}
	endpoints    = []string{"/v2/invoices", "/v2/contacts", "/v2/reports/export", "/v2/webhooks", "/v2/projects", "/v2/users/search"}
	articles     = []string{"8231-exporting-data", "5120-single-sign-on", "7744-managing-seats", "6610-billing-faq", "9032-webhooks", "4418-troubleshooting-the-browser", "3307-importing-csv-files"}
)

// ticketTemplate is one kind of ticket: a title, the topic replies refer
// to, and descriptions to choose from. All are plain text.
type ticketTemplate struct {
	title, topic tmpl
	descs        []tmpl
}

func tt(title, topic string, descs ...string) ticketTemplate {
	return ticketTemplate{title: parse(title), topic: parse(topic), descs: parseAll(descs)}
}

var bugReports = []ticketTemplate{
	tt("{Area} export fails with error {code}", "the {area} export",
		"When we export {area} to CSV the download never starts and we get error {code} after about a minute. It worked fine last week.",
		"Exporting {area} for last month fails with error {code}. Smaller date ranges work, so it might be a size limit?"),
	tt("SSO login loops back to the sign-in page", "the SSO login loop",
		"Since this morning our team can't log in with {idp} SSO: after authenticating we land back on the sign-in page. Password login still works for the admins.",
		"Users in our {city} office get stuck in a redirect loop when signing in through {idp}. Clearing cookies doesn't help."),
	tt("{Area} page is blank in {browser}", "the blank {area} page",
		"The {area} page loads but stays completely blank in {browser}. The console shows a {code} for one of the scripts.",
		"Half of my team sees an empty {area} page in {browser}; it works in other browsers."),
	tt("Webhook to {integration} stopped firing", "the {integration} webhook",
		"Our {integration} webhook hasn't received any events since {month}. The endpoint is up and returns 200 when we test it manually.",
		"No new events reach {integration} any more. We didn't change anything on our side; the last delivery log shows error {code}."),
	tt("Error {code} when saving {area} settings", "saving the {area} settings",
		"Every time I try to save the {area} settings I get \"Something went wrong\" and error {code} in the network tab."),
	tt("CSV import rejects rows with accented names", "the CSV import",
		"Our CSV import rejects every row where the name has an accent (Zoë, François, Müller). The file is UTF-8. Is there a setting for this?",
		"Importing contacts from our {city} office fails on names like Séverine or Łukasz: the rows are skipped with error {err}."),
	tt("{Area} totals are wrong since the last update", "the wrong {area} totals",
		"The totals on the {area} dashboard don't match the line items any more. They have been off by a few percent since the update in {month}."),
	tt("Notifications arrive twice for every {area} change", "the duplicate notifications",
		"Everyone on our team gets each {area} notification twice, by e-mail and in {integration}."),
	tt("Search doesn't find \"café\" when typed without the accent", "search with accents",
		"Searching for cafe doesn't return our café supplier records; only café with the accent does. Same with naïve and naive."),
	tt("Attachments over {mb} MB fail to upload", "the attachment upload",
		"Uploading a PDF over {mb} MB stops at 99% and then shows error {code}. Smaller files are fine."),
	tt("Scheduled {area} report uses the wrong timezone", "the scheduled {area} report",
		"Our scheduled {area} report arrives at 3am instead of 9am. The workspace timezone is set correctly (our office is in {city})."),
	tt("API returns {code} for {endpoint}", "the {endpoint} errors",
		"Our integration calls {endpoint} every five minutes and since yesterday about one call in ten returns {code}. We can send request ids."),
	tt("E-mail template shows raw <b> tags in the footer", "the e-mail template footer",
		"The footer of our invoice e-mail template shows the literal text <b>Thanks!</b> instead of bold text."),
	tt("Mobile app crashes when opening {area}", "the mobile app crash",
		"The iOS app crashes as soon as I open {area}. Reinstalling didn't help."),
}

var billingQuestions = []ticketTemplate{
	tt("Can't add a new seat to our {plan} plan", "adding a seat",
		"I'm trying to add a seat for a new colleague but the button is greyed out. We're on the {plan} plan with {n} seats.",
		"Adding a seat fails with error {code}. We're on {plan} and still have budget for {n} more seats."),
	tt("Invoice {invoice} shows the wrong VAT number", "invoice {invoice}",
		"Invoice {invoice} has our old VAT number on it. Could you reissue it with the correct one? Our finance team in {city} needs it for the month end."),
	tt("Charged twice for {month}", "the double charge",
		"Our card was charged twice for the {month} invoice ({invoice}). Could you refund the duplicate?"),
	tt("Switching from monthly to annual billing", "annual billing",
		"We'd like to move from monthly to annual billing on the {plan} plan. Is there a discount, and what happens to the current month?"),
	tt("Downgrade from {plan} to {plan2}: what happens to our data?", "the downgrade",
		"If we downgrade from {plan} to {plan2}, do we lose any {area} data? We'd like to keep the history."),
	tt("Card declined on renewal", "the declined card",
		"We got an e-mail that our card was declined on renewal. The card is valid; could you retry the payment?"),
	tt("Prorated charge after adding {n} seats", "the prorated charge",
		"We added {n} seats mid-month and the prorated amount on invoice {invoice} seems too high. Can you explain the calculation?"),
	tt("Invoices should be addressed to our {city} office", "the invoice address",
		"Please change the billing address on our invoices to our new {city} office, starting with the {month} invoice."),
}

var featureRequests = []ticketTemplate{
	tt("Dark mode for the {area} view", "dark mode",
		"Our support team works late shifts and would love a dark mode in {area}."),
	tt("Export {area} to Excel", "the Excel export",
		"CSV is fine, but our finance team would really like a native Excel export for {area}."),
	tt("Bulk-edit {area} records", "bulk editing",
		"We regularly need to update hundreds of {area} records at once. A bulk-edit option would save us hours every week."),
	tt("Support SAML SSO with {idp}", "SAML SSO with {idp}",
		"We're standardising on {idp} and need SAML SSO before we can roll out to the whole company."),
	tt("Résumé parsing for candidate uploads", "résumé parsing",
		"Our HR team uploads candidate résumés as PDFs. It would be great if names and e-mail addresses were parsed automatically; right now it's a naïve copy-and-paste job."),
	tt("Webhooks for {area} changes", "webhooks for {area}",
		"We'd like a webhook whenever {area} records change so we can sync them to {integration}."),
	tt("Native {integration} integration", "the {integration} integration",
		"Is a native {integration} integration on the roadmap? We currently go through Zapier and it breaks often."),
	tt("Default templates for {area}", "default templates",
		"Admins should be able to set a default template in {area} so everyone starts from the same layout."),
}

var accountAccess = []ticketTemplate{
	tt("Locked out after password reset", "the locked account",
		"I reset my password this morning and now the login page says my account is locked. I'm the only admin at {company}."),
	tt("Two-factor codes not accepted", "the 2FA codes",
		"My authenticator codes are rejected with error {err}. My phone clock is correct."),
	tt("Invite link expired for a new teammate", "the expired invite",
		"A new colleague tried to accept the invite but the link says it has expired. Can you resend it or extend it?"),
	tt("Transfer workspace ownership", "the ownership transfer",
		"Our workspace owner has left {company}. How can we transfer ownership to me?"),
	tt("Can't change my e-mail address", "changing my e-mail address",
		"We changed our domain and I need to update my login e-mail. The settings page says the address is already taken."),
}

var refundReviews = []ticketTemplate{
	tt("Refund review: duplicate charge for {month}", "the duplicate charge refund",
		"Customer reports a duplicate charge on the {month} invoice ({invoice}). Verify with the payment provider and refund if confirmed."),
	tt("Refund request for unused {plan} seats", "the seat refund",
		"Customer removed {n} seats shortly after renewal and asks for a partial refund."),
	tt("Goodwill credit after the {area} outage", "the goodwill credit",
		"Customer was affected by the {area} outage in {month} and asks for a credit on the next invoice."),
}

var contractChanges = []ticketTemplate{
	tt("Contract amendment: add {n} seats", "the contract amendment",
		"Customer wants to add {n} seats at their current {plan} rate until renewal. Needs an amendment signed by both sides."),
	tt("Move billing entity to {city}", "the billing entity change",
		"Customer is moving their billing entity to {city}; new invoices must carry the new address and VAT number."),
	tt("Data deletion request (GDPR)", "the deletion request",
		"Customer requests deletion of a former employee's personal data under GDPR article 17. Confirm the scope before running the script."),
}

var incidents = []ticketTemplate{
	tt("Incident: {area} latency in the EU region", "the {area} latency incident",
		"Several customers report slow {area} pages (p95 above 8 s) in the EU region since 09:40 UTC."),
	tt("Incident: {integration} sync delayed", "the {integration} sync delay",
		"The {integration} sync queue is backed up; events are delivered with up to two hours of delay."),
	tt("Incident: elevated {code} errors on the API", "the API incident",
		"The rate of {code} responses on {endpoint} went up to 4% after the last deploy."),
	tt("Incident: {area} exports stuck in the queue", "the stuck exports",
		"Export jobs for {area} stay queued for hours; the worker pool in the {city} region looks unhealthy."),
}

// customerClosers are optional last sentences of a customer's description.
var customerClosers = parseAll([]string{
	"This is blocking our month-end close.",
	"It's not urgent, but a few people on the team asked about it.",
	"Happy to jump on a call if that helps.",
	"Screenshots attached.",
	"Thanks in advance!",
	"Our team in {city} is affected too.",
	"We're on the {plan} plan, if that matters.",
	"Could you look into this today? Our CEO noticed it.",
})

// The voice of a ticket type decides which replies fit its conversation.
const (
	voiceProblem = iota // something is broken
	voiceBilling        // money, invoices, contracts
	voiceFeature        // something is missing
)

// replies are the part bodies of one voice. Part bodies are HTML; their
// variables are escaped when filled.
type replies struct {
	adminFirst, adminFollowUp, adminWaiting, adminResolved []tmpl
	customer                                               []tmpl
	notes                                                  []tmpl
}

var voices = [...]replies{
	voiceProblem: {
		adminFirst: parseAll([]string{
			"<p>Hi {first},</p><p>Thanks for reaching out about {topic}. I'm looking into it now and will get back to you shortly.</p>",
			"<p>Hi {first}, thanks for the detailed report! Could you tell me roughly when this started and whether it affects everyone on your team?</p>",
			"<p>Hello {first},</p><p>Sorry for the trouble with {topic}. I've shared this with our specialists and will keep you posted here.</p>",
			"<p>Hi {first}, {admin} here from the support team. Could you send a screenshot and the exact time it happened (with your timezone)?</p>",
		}),
		adminFollowUp: parseAll([]string{
			"<p>Thanks {first}. We've reproduced {topic} on our side and passed it to the engineering team.</p>",
			"<p><b>Workaround:</b> until the fix ships, you can use a smaller date range or switch to {browser}.</p>",
			"<p>You'll find the troubleshooting steps in <a href=\"https://help.example.com/articles/{article}\">this article</a>. Let me know if anything is unclear!</p>",
			"<p>Quick update: the engineers found the cause of {topic} and a fix is scheduled for this week.</p>",
			"<p>I've checked your account settings and everything looks right on our end. Does it still happen in a private window?</p>",
		}),
		adminWaiting: parseAll([]string{
			"<p>Could you confirm whether {topic} still happens after clearing your cache? I'll keep this ticket open until I hear from you.</p>",
			"<p>To go further I need the id of one affected record. Could you send it over when you have a moment?</p>",
			"<p>I've sent you a calendar invite for a quick screen share. Does Thursday work for you, {first}?</p>",
		}),
		adminResolved: parseAll([]string{
			"<p>Good news: the fix for {topic} is now live. I'm marking this ticket as resolved; just reply if anything comes up again.</p>",
			"<p>Glad that's sorted! I'll close this ticket now. Have a great week, {first}.</p>",
			"<p>We've shipped an update that resolves {topic}. Thanks for your patience!</p>",
			"<p>Done: we've taken care of {topic} on our side. <b>No action is needed from you.</b></p>",
		}),
		customer: parseAll([]string{
			"<p>Thanks {admin}! It happened around 10:30 this morning and affects the whole team.</p>",
			"<p>Still happening today: {topic} again, this time with error {code}.</p>",
			"<p>Screenshot attached. Our team in {city} sees the same thing.</p>",
			"<p>I tried in {browser} and in a private window, same result.</p>",
			"<p>Any update on this? It's blocking our month-end close.</p>",
			"<p>Here's one of the affected records: <b>#{eng}</b>.</p>",
			"<p>The workaround works for now, thanks. Our naïve fix was to export in smaller batches.</p>",
		}),
		notes: parseAll([]string{
			"<p>Internal: reproduced on staging, linked to ENG-{eng}. The export fails only for accounts with more than {n} seats.</p>",
			"<p>Internal: escalated to tier 2. Looks like the same SSO issue as last week's incident.</p>",
			"<p>Internal: do not share the root cause of {topic} with the customer yet, the postmortem is pending.</p>",
		}),
	},
	voiceBilling: {
		adminFirst: parseAll([]string{
			"<p>Hi {first},</p><p>Thanks for getting in touch about {topic}. I'm checking the details with our billing team and will come back to you today.</p>",
			"<p>Hi {first}, happy to help with {topic}! Could you confirm the e-mail address of the account owner so I can look up your subscription?</p>",
			"<p>Hello {first}, {admin} from the billing team here. I can see your {plan} subscription; give me a moment to review {topic}.</p>",
		}),
		adminFollowUp: parseAll([]string{
			"<p>Thanks {first}. The amount on invoice {invoice} includes the prorated seats added this month.</p>",
			"<p>You'll find how prorating works in <a href=\"https://help.example.com/articles/6610-billing-faq\">this article</a>.</p>",
			"<p>I've asked our finance team to double-check {topic}. They usually answer within one business day.</p>",
			"<p><b>Good to know:</b> annual plans are billed upfront with a 15% discount, and unused months are credited.</p>",
		}),
		adminWaiting: parseAll([]string{
			"<p>Could you send us your VAT number and billing address? I'll sort out {topic} as soon as I have them.</p>",
			"<p>To go ahead I need a confirmation from the account owner. Could you forward this to them?</p>",
		}),
		adminResolved: parseAll([]string{
			"<p>All done: I've processed {topic}. You'll see it reflected on your next invoice.</p>",
			"<p>I've issued a corrected invoice ({invoice}); it's in your billing settings now. Closing this ticket, but just reply if anything looks off.</p>",
			"<p>The refund has been issued and should reach your card within 5 to 10 business days.</p>",
		}),
		customer: parseAll([]string{
			"<p>Thanks {admin}. I'm the account owner, and the only admin on our {plan} plan.</p>",
			"<p>Our finance team in {city} still sees the old amount on invoice {invoice}. Could you check again?</p>",
			"<p>Any update on {topic}? We need it before the month-end close.</p>",
			"<p>The VAT number is in the attached PDF, along with our new address in {city}.</p>",
			"<p>Thanks, that makes sense. Could you also resend last month's invoice?</p>",
		}),
		notes: parseAll([]string{
			"<p>Internal: customer is on a legacy contract, check with finance before promising a refund.</p>",
			"<p>Internal: refund approved by finance for invoice {invoice}.</p>",
			"<p>Internal: they already got a goodwill credit in {month}; no further discount without approval.</p>",
		}),
	},
	voiceFeature: {
		adminFirst: parseAll([]string{
			"<p>Hi {first}, thanks for the suggestion! I've shared {topic} with our product team.</p>",
			"<p>Hi {first},</p><p>Great idea. Could you tell me a bit more about how your team would use {topic}? It helps the product team prioritise.</p>",
			"<p>Hello {first}, {admin} here. Other customers have asked for {topic} too, so I've added your vote.</p>",
		}),
		adminFollowUp: parseAll([]string{
			"<p>Quick update: {topic} is now on our roadmap for next quarter. No promises on dates yet, but I'll keep you posted.</p>",
			"<p>In the meantime, <a href=\"https://help.example.com/articles/9032-webhooks\">webhooks and the API</a> can cover part of it. Happy to help you set that up!</p>",
			"<p>Our product manager would love to hear more. Would you be up for a 20-minute call next week?</p>",
		}),
		adminWaiting: parseAll([]string{
			"<p>Could you share an example of the workflow you have in mind? A screenshot or a short list of steps is perfect.</p>",
			"<p>Would you like to join the beta for {topic}? Just reply yes and I'll add your workspace.</p>",
		}),
		adminResolved: parseAll([]string{
			"<p>Good news: {topic} shipped today! You'll find it under Settings. Thanks again for the suggestion.</p>",
			"<p>I'm closing this ticket for now, but your vote for {topic} is recorded and the product team will reach out when it's in beta.</p>",
		}),
		customer: parseAll([]string{
			"<p>Thanks {admin}! About ten people on our team would use it every day.</p>",
			"<p>Sure, here's our workflow: export on Monday, fix things in a spreadsheet, import back. It's a naïve process but it works.</p>",
			"<p>Yes please, add us to the beta!</p>",
			"<p>Any news on {topic}? Our team in {city} keeps asking.</p>",
		}),
		notes: parseAll([]string{
			"<p>Internal: tagged as FR-{eng}; more than {n} customers asked for {topic}.</p>",
			"<p>Internal: on the roadmap but not before Q3, don't promise a date.</p>",
		}),
	},
}

// genericNotes fit any ticket; the first needs the ticket's company.
var genericNotes = parseAll([]string{
	"<p>Internal: VIP account ({company}), keep the tone formal and loop in their account manager.</p>",
	"<p>Internal: @{admin2} can you take this one? I'm out tomorrow.</p>",
	"<p>Internal: same customer as last month's escalation, handle with care.</p>",
})

// customerOddities are rare customer replies holding text that must stay
// escaped.
var customerOddities = parseAll([]string{
	"<p>I typed &lt;script&gt;alert(1)&lt;/script&gt; into the {area} name field to test it, and now the list shows that text. Is that expected?</p>",
	"<p>The page title shows &lt;b&gt;{area}&lt;/b&gt; with the tags visible &amp; the menu is gone.</p>",
})

// customerThanks close a resolved ticket on the customer's side.
var customerThanks = parseAll([]string{
	"<p>Confirmed, it works now. Thanks a lot!</p>",
	"<p>All good on our side, merci beaucoup!</p>",
	"<p>Perfect, thank you {admin}.</p>",
})

// Package benchrules holds the rules and the settings change the
// benchmarks measure: the bench command (`portalstudio bench`), the
// storage's audience benchmarks and whoever compares with them. One home,
// so every bench counts the same thing and their numbers can be compared.
//
// Each function returns fresh values: a caller may change what it gets
// without touching another's.
package benchrules

import "portalstudio/backend/portal"

// Typical is the everyday rule: an email domain, a plan and a company
// attribute.
func Typical() *portal.Rule {
	return portal.AllOf(
		portal.Cond("user.email", portal.OpContains, "examply"),
		portal.Cond("company.plan", portal.OpEquals, "Pro"),
		portal.Cond("company.custom.seats", portal.OpGreaterThan, 10.0),
	)
}

// Hard is the rule that works the engine hardest: a suffix, a negation
// over companies, an any-of across users and companies, a date and a
// not-contains.
func Hard() *portal.Rule {
	return portal.AllOf(
		portal.Cond("user.email", portal.OpEndsWith, ".com"),
		portal.Cond("company.plan", portal.OpNotEquals, "Starter"),
		portal.AnyOf(
			portal.Cond("company.custom.region", portal.OpEquals, "EMEA"),
			portal.Cond("user.custom.seats", portal.OpGreaterThan, 5.0),
		),
		portal.Cond("user.last_seen_at", portal.OpLessThanDaysAgo, 90.0),
		portal.Cond("user.name", portal.OpNotContains, "test"),
	)
}

// Operators are single conditions over every operator and kind of
// attribute (own and custom, user and company; a two-letter operand that
// no trigram serves): issue 10 wants each under the hard rule's goal.
func Operators() []*portal.Rule {
	return []*portal.Rule{
		portal.Cond("user.email", portal.OpEquals, "alice.martin@examply.com"),
		portal.Cond("user.email", portal.OpNotEquals, "alice.martin@examply.com"),
		portal.Cond("user.email", portal.OpContains, "examply"),
		portal.Cond("user.email", portal.OpNotContains, "examply"),
		portal.Cond("user.email", portal.OpStartsWith, "zoe."),
		portal.Cond("user.email", portal.OpEndsWith, ".dev"),
		portal.Cond("user.name", portal.OpContains, "ÉL"),
		portal.Cond("user.name", portal.OpStartsWith, "zo"),
		portal.Cond("user.name", portal.OpEquals, "Zoë Khalil"),
		portal.Cond("user.role", portal.OpEquals, "lead"),
		portal.Cond("user.external_id", portal.OpIsSet, nil),
		portal.Cond("user.last_seen_at", portal.OpMoreThanDaysAgo, 30.0),
		portal.Cond("user.created_at", portal.OpLessThanDaysAgo, 365.0),
		portal.Cond("user.custom.seats", portal.OpGreaterThan, 5.0),
		portal.Cond("user.custom.seats", portal.OpEquals, 25.0),
		portal.Cond("user.custom.department", portal.OpEquals, "Finance"),
		portal.Cond("user.custom.is_admin", portal.OpEquals, true),
		portal.Cond("user.custom.trial_ends_at", portal.OpIsNotSet, nil),
		portal.Cond("company.name", portal.OpContains, "robot"),
		portal.Cond("company.plan", portal.OpEquals, "Pro"),
		portal.Cond("company.plan", portal.OpNotEquals, "Starter"),
		portal.Cond("company.website", portal.OpEndsWith, ".io"),
		portal.Cond("company.size", portal.OpLessThan, 50.0),
		portal.Cond("company.created_at", portal.OpMoreThanDaysAgo, 365.0),
		portal.Cond("company.custom.region", portal.OpEquals, "EMEA"),
		portal.Cond("company.custom.renewal_at", portal.OpIsSet, nil),
	}
}

// Change is the typical change whose impact the bench measures: from the
// demo settings (everyone has access, all but company admins are
// restricted) to access for companies not on the Starter plan, with
// Enterprise companies' users no longer restricted.
func Change() (before, after *portal.Settings) {
	before = portal.DefaultSettings()
	before.Portal.Enabled = true
	before.IdentityVerification = true
	before.Access.Rule = portal.Everyone()
	before.Visibility.RestrictToOwn = true
	before.Visibility.Conditions = portal.AllOf(portal.Cond("user.custom.is_admin", portal.OpEquals, false))
	after = before.Clone()
	after.Access.Rule = portal.Cond("company.plan", portal.OpNotEquals, "Starter")
	after.Visibility.Conditions = portal.AllOf(
		portal.Cond("user.custom.is_admin", portal.OpEquals, false),
		portal.Cond("company.plan", portal.OpNotEquals, "Enterprise"),
	)
	return before, after
}

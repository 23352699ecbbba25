// Package portal is the domain of Portal Studio: the helpdesk's users,
// companies and tickets, the portal settings document, the audience rule
// language, and the decisions the customer portal makes for each user
// (may they enter, are they restricted to their own tickets, which tabs and
// tickets they see, and why).
//
// The package is pure Go with no cgo, no SQL and no Wails, so the
// WebAssembly UI shares its types. It imports the standard library and
// golang.org/x/text (pure Go, for diacritic folding) only.
//
// Rules are evaluated here over domain values (Eval, Decide), which gives a
// reason for every decision. The storage packages compile the same rules to
// SQL for whole-population counts; tests prove the two paths agree.
package portal

// Package fake holds function-field fakes of the domain's ports
// (backend/portal) and of the sync's Vault, for tests whose point is a
// service's logic rather than SQL: set the fields a test needs; a method
// whose field is nil panics, so a call the test did not expect shows.
//
// Test-only: product code never imports it (architecture_test.go).
package fake

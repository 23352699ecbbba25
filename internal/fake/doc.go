// Package fake holds function-field fakes of the domain's ports
// (backend/portal) and of the sync's Vault and Local, for tests whose
// point is a service's logic rather than SQL: set the fields a test needs;
// a method whose field is nil panics, so a call the test did not expect
// shows. Secrets, MemoryVault and Desktop return working ones, kept in
// memory, for a test to break one method of.
//
// Test-only: product code never imports it (architecture_test.go).
package fake

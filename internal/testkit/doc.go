// Package testkit holds the test scaffolding several packages share: a
// real portal server on loopback over a new workspace, a strict import of
// records, and a recorder that stands where a leaked token would arrive.
// Only tests import it.
package testkit

// Package sync is the desktop side of settings sync: an HTTP client of a
// portal server's admin API (Client), pull and push of a workspace's
// settings (Pull, Push), the three-way merge a push falls back on when the
// server moved on (ThreeWay), and where a workspace remembers its server
// and admin token (LoadCredentials, SaveCredentials).
//
// A workspace keeps a draft and the live copy it last synced, each with
// the version of the server's live settings it is based on. Push sends the
// draft with If-Match of that version. When the server answers 412 with
// its current settings, push never overwrites them: it merges the draft
// and the server's settings from their common base field by field (an
// object merges by key; a list, a scalar and a whole rule are single
// values), takes what only one side changed, and resolves the fields both
// changed only as the admin says (take the draft or the live side). The
// merge is shown as two line diffs (base to live, base to draft) made with
// go-diff.
//
// The package is named for what it does; importers that also need the
// standard library's sync name it portalsync.
package sync

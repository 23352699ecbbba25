// Package server is Portal Studio's portal server, the HTTP side of
// `portalstudio serve`: the admin API the desktop app syncs with and the
// customer portal's JSON API, over one workspace.
//
// The admin API (/api/v1/...) takes the admin token as a Bearer token,
// compared in constant time with the SHA-256 hash the workspace keeps. The
// live settings are versioned: GET gives the current version as its ETag,
// PUT needs If-Match with that version (428 without it, 412 with the
// current document when it is stale), and every version is kept, so a
// restore makes a new version rather than rewriting history.
//
// The customer portal (/portal/<slug>/...) identifies end users by an
// identity token, a JWT signed (HS256) with the workspace's
// identity-verification secret, whose user_id claim names the contact's
// external_id or whose email claim names the one contact with that very
// address (case-insensitive at most: the accent and compatibility folding
// of audience rules never applies to identity). A token's exp is required
// and at most 24 hours ahead (Config.MaxTokenLifetime), its nbf is
// honoured, a present aud must be the portal's URL or slug, with a minute
// of clock skew; every refusal is a 401 and a log line with its reason.
//
// The token is accepted as a Bearer token, or exchanged once for a session
// cookie: v2.<generation>.<session id>.<user id>.<expiry>.<mac>. Its MAC
// key is never stored: it is derived from the identity-verification
// secret (a file outside the workspace) and the session generation and
// its salt (in the workspace), so reading the workspace gives nothing that
// signs a session, and any replica holding the same secret file checks
// it. A cookie is accepted only in the current generation, with a valid
// MAC, expiring at most 12 hours ahead (checked on every read) and not
// signed out (revoked_sessions, one indexed query with the generation).
// Rotating the identity secret or `serve --end-sessions` starts a new
// generation: every session ends. Access, visibility and the
// Customer/shared filter are decided on every request by the same service
// the desktop preview uses (package studio), under the live settings.
//
// Every error is JSON, {"error": {"code": ..., "message": ...}}, with a
// status from one table keyed by the domain's error codes (errors.go).
package server

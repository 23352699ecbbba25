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
// external_id or whose email claim names exactly one contact. The token
// is accepted as a Bearer token, or exchanged once for a session cookie
// that is stateless: an HMAC over the user's id and an expiry, with a key
// kept in the database, so any replica can check it. Access, visibility
// and the Customer/shared filter are decided on every request by the same
// service the desktop preview uses (package studio), under the live
// settings.
//
// Every error is JSON, {"error": {"code": ..., "message": ...}}, with a
// status from one table keyed by the domain's error codes (errors.go).
package server

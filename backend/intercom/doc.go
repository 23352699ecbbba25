// Package intercom reads Intercom REST API objects and turns them into the
// domain records of package portal.
//
// Import files hold objects exactly as the Intercom API returns them:
// single contacts, companies and tickets; list envelopes such as
// {"type":"list","data":[...]} and {"type":"ticket.list","tickets":[...]};
// or JSON Lines (and plain concatenations) of either. Read streams a file
// value by value and, inside an envelope, element by element, so a file of
// any size is read in memory proportional to its largest record (at most
// MaxRecordSize).
//
// Every record knows the file and the 1-based line where it starts. A
// record the product cannot use (an object of another type, a missing id,
// a standard field of the wrong JSON type, an unknown ticket category) is
// rejected with a reason and the rest of the file is still read; only a
// file that is not JSON at all fails as a whole. Fields the product does
// not use are ignored, whatever their shape, because real API objects carry
// many and their shapes differ between API versions.
//
// The package is pure Go and imports only the standard library and the
// domain package.
package intercom

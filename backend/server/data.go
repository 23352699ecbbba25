package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"portalstudio/backend/intercom"
	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// Long requests: an import reads up to maxImportBody, a snapshot streams
// the whole dataset; both outlast the server's default timeouts.
const (
	importDeadline   = 30 * time.Minute
	snapshotDeadline = 2 * time.Hour
)

// bodyReader remembers the error reading a request body gave, to tell a
// client's fault (a body too large or cut short) from the server's.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// importData imports Intercom REST API JSON or JSON Lines from the request
// body, streamed, with the rules and the report of `portalstudio import`:
// upserts in one transaction; rejected records are reported and skipped
// (with ?strict=true one rejection imports nothing); a body that is not
// JSON, or too large, changes nothing. ?name= names the body in the
// rejections' positions (default "request").
func (s *Server) importData(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > s.maxImport {
		s.writeError(w, r, tooLarge("the import", s.maxImport))
		return
	}
	q := r.URL.Query()
	strict := false
	if v := q.Get("strict"); v != "" {
		var err error
		if strict, err = strconv.ParseBool(v); err != nil {
			s.writeError(w, r, portal.Errorf(portal.EINVALID, "strict must be true or false, not %q", v))
			return
		}
	}
	name := q.Get("name")
	if name == "" {
		name = "request"
	}
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(importDeadline))
	rc.SetWriteDeadline(time.Now().Add(importDeadline))
	body := &bodyReader{r: http.MaxBytesReader(w, r.Body, s.maxImport)}
	readFailed := false
	rep, err := s.ws.Import(r.Context(), func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		rej, err := intercom.Read(name, body, emit)
		readFailed = err != nil
		return rej, err
	}, portal.ImportOptions{Strict: strict})
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		if rep.Rejected == nil {
			rep.Rejected = []portal.Rejection{}
		}
		s.log.InfoContext(r.Context(), "imported", "contacts", rep.Contacts, "companies", rep.Companies, "tickets", rep.Tickets, "rejected", len(rep.Rejected))
		writeJSON(w, http.StatusOK, rep)
	case errors.As(body.err, &mbe):
		s.writeError(w, r, tooLarge("the import", s.maxImport))
	case body.err != nil:
		s.writeError(w, r, portal.Errorf(portal.EINVALID, "the request body could not be read to its end (%v); nothing was imported", body.err))
	case strict && !readFailed && len(rep.Rejected) > 0:
		s.writeError(w, r, &rejectedError{err: err, rejected: rep.Rejected})
	default:
		s.writeError(w, r, err)
	}
}

// snapshot streams the dataset as JSON Lines: a wire.SnapshotHeader, then every
// company, contact and ticket as Intercom REST API objects, read from one
// consistent snapshot of the workspace and flushed as it goes (never
// built in memory). A failure after the first line cuts the stream short;
// the header's counts let the client tell.
func (s *Server) snapshot(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Now().Add(snapshotDeadline))
	out := intercom.NewWriter(w)
	started := false
	n := 0
	err := s.ws.Snapshot(r.Context(), func(h portal.SnapshotHeader) error {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		started = true
		return out.WriteValue(wire.SnapshotHeader{Type: wire.SnapshotType, Format: wire.SnapshotFormat, SnapshotHeader: h})
	}, func(rec portal.Record) error {
		if err := out.Write(rec); err != nil {
			return err
		}
		if n++; n%2000 == 0 {
			if err := out.Flush(); err != nil {
				return err
			}
			rc.Flush()
		}
		return nil
	})
	if err == nil {
		err = out.Flush()
	}
	if err == nil {
		return
	}
	if !started {
		s.writeError(w, r, err)
		return
	}
	// The status is sent: cut the stream so the client sees it is
	// incomplete.
	s.log.ErrorContext(r.Context(), "snapshot cut short", "records", n, "err", err)
	panic(http.ErrAbortHandler)
}

package studio

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"sync/atomic"

	"portalstudio/backend/demo"
	"portalstudio/backend/intercom"
	"portalstudio/backend/portal"
)

// What the desktop app needs beyond the command line's operations: a
// summary of the workspace for its header and rule builder, and the data
// jobs (import, demo) with progress.

// Overview describes the open workspace: its file, its size and the
// attributes rules may name.
type Overview struct {
	Path       string             `json:"path"`
	Name       string             `json:"name"` // the file name, for titles
	Counts     portal.Counts      `json:"counts"`
	Attributes []portal.Attribute `json:"attributes"`
	// Operators lists, per attribute type, the operators that fit it, in
	// the order the rule builder offers them.
	Operators map[portal.ValueKind][]portal.Operator `json:"operators"`
}

// Overview returns the summary of the workspace.
func (s *Service) Overview(ctx context.Context) (*Overview, error) {
	counts, err := s.Store.Counts(ctx)
	if err != nil {
		return nil, err
	}
	schema, err := s.Store.Schema(ctx)
	if err != nil {
		return nil, err
	}
	ops := map[portal.ValueKind][]portal.Operator{}
	for _, k := range []portal.ValueKind{portal.KindString, portal.KindNumber, portal.KindBoolean, portal.KindDate} {
		ops[k] = portal.OperatorsFor(k)
	}
	return &Overview{
		Path:       s.Store.Location(),
		Name:       filepath.Base(s.Store.Location()),
		Counts:     counts,
		Attributes: schema.Attributes(),
		Operators:  ops,
	}, nil
}

// Progress reports how far a long job has come. Total is 0 when unknown.
type Progress func(done, total int64)

// ImportData imports one file of Intercom API JSON or JSON Lines, given
// as its content, like `portalstudio import`: rejected records are
// skipped and listed in the report (the error is nil then); a file that
// cannot be read as JSON changes nothing and is the error.
func (s *Service) ImportData(ctx context.Context, name string, content []byte, progress Progress) (*portal.ImportReport, error) {
	if name == "" {
		name = "upload.json"
	}
	total := int64(len(content))
	rd := &countingReader{r: bytes.NewReader(content)}
	if progress != nil {
		progress(0, total)
	}
	rep, err := s.Store.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		return intercom.Read(name, rd, func(r portal.Record) error {
			if progress != nil {
				progress(rd.n.Load(), total)
			}
			return emit(r)
		})
	}, portal.ImportOptions{})
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(total, total)
	}
	if rep.Rejected == nil {
		rep.Rejected = []portal.Rejection{}
	}
	return &rep, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// DemoRequest sizes a demo dataset; zero fields take the demo defaults
// (2,000 users, 200 companies, 4,000 tickets).
type DemoRequest struct {
	Users     int   `json:"users"`
	Companies int   `json:"companies"`
	Tickets   int   `json:"tickets"`
	Seed      int64 `json:"seed"`
}

// GenerateDemo replaces the workspace's dataset with a demo dataset, like
// `portalstudio demo --replace`, and gives a never-edited draft the demo
// settings. The settings themselves are kept.
func (s *Service) GenerateDemo(ctx context.Context, req DemoRequest, progress Progress) (*portal.ImportReport, error) {
	if req.Users < 0 || req.Companies < 0 || req.Tickets < 0 {
		return nil, portal.Errorf(portal.EINVALID, "the numbers of users, companies and tickets must not be negative")
	}
	if req.Users > 2_000_000 || req.Companies > 500_000 || req.Tickets > 5_000_000 {
		return nil, portal.Errorf(portal.EINVALID, "a demo workspace holds at most 2,000,000 users, 500,000 companies and 5,000,000 tickets")
	}
	if req.Seed == 0 {
		req.Seed = 1
	}
	opt := demo.Options{Users: req.Users, Companies: req.Companies, Tickets: req.Tickets, Seed: req.Seed}
	rep, err := s.Demo(ctx, opt, func(done, total int) {
		if progress != nil {
			progress(int64(done), int64(total))
		}
	})
	if err != nil {
		return nil, err
	}
	return &rep, nil
}

package portal

import (
	"context"
	"errors"
)

// Prepared is a record with what an import derives from it without the
// database (a store's search text or vector), made ahead of the writer.
type Prepared[T any] struct {
	Rec  Record
	Made T
}

// errStopped tells a source that the import stopped (the writer failed).
var errStopped = errors.New("the import stopped")

// PipeRecords runs src on its own goroutine, which also prepares each
// record (prepare), up to ahead records ahead of put, which writes them
// on the caller's goroutine in order: reading or generating, preparing
// and writing use two cores. The first error of put (or the context's)
// stops src and is returned; otherwise src's. The source's rejections are
// returned either way.
func PipeRecords[T any](ctx context.Context, src RecordSource, ahead int, prepare func(Record) T, put func(Prepared[T]) error) ([]Rejection, error) {
	recs := make(chan Prepared[T], ahead)
	stop := make(chan struct{})
	var readRej []Rejection
	var srcErr error
	go func() {
		defer close(recs)
		readRej, srcErr = src(func(r Record) error {
			select {
			case recs <- Prepared[T]{Rec: r, Made: prepare(r)}:
				return nil
			case <-stop:
				return errStopped
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var putErr error
	for p := range recs {
		if putErr != nil {
			continue // the source is stopping: drain
		}
		if putErr = ctx.Err(); putErr == nil {
			putErr = put(p)
		}
		if putErr != nil {
			close(stop)
		}
	}
	if putErr != nil {
		return readRej, putErr
	}
	return readRej, srcErr
}

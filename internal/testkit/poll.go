package testkit

import (
	"context"
	"strings"
	"time"
)

// PollAcrossNavigation runs a browser poll until it answers or the timeout
// passes. A chromedp poll does not survive its page's document being
// replaced: when a navigation lands while it runs (the page's execution
// context is gone), the poll starts again in the new document with the
// time left, and the condition is asked again there.
func PollAcrossNavigation[T any](ctx context.Context, timeout time.Duration, poll func(time.Duration) (T, error)) (T, error) {
	deadline := time.Now().Add(timeout)
	for {
		v, err := poll(time.Until(deadline))
		if err == nil || !contextReplaced(err) || time.Until(deadline) < 100*time.Millisecond {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// contextReplaced says whether err is Chromium's answer to a script sent
// to a document that a navigation has since replaced.
func contextReplaced(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") || strings.Contains(msg, "Execution context was destroyed")
}

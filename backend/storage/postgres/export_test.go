package postgres

// SetVisibleFirst sets how many visible tickets a search reads before the
// GIN index goes first, and returns how to put it back.
func SetVisibleFirst(n int) (restore func()) {
	was := visibleFirst
	visibleFirst = n
	return func() { visibleFirst = was }
}

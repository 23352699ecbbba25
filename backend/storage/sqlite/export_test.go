package sqlite

// SetFilterMax changes how few candidates make an "all" group test its
// other conditions on the candidates only, and returns a function that
// restores it: tests run both evaluation strategies.
func SetFilterMax(n uint64) (restore func()) {
	old := filterMax
	filterMax = n
	return func() { filterMax = old }
}

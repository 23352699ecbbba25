package audience

// Test hooks: the engine's strategies and forms are chosen by size, and
// these force the others so that tests (here and in the adapters'
// packages, which compare the engine with other paths) run every one.
// Each returns a function that restores the automatic choice. They
// change package state: never call them outside tests.

// ForceForms forces the forms of the columns built next: strings in an
// arena (not a dictionary), layout 1 dense / 2 sparse (0: the smaller),
// fixed-width arenas whenever possible (when a layout is forced) or
// never, numbers as float64.
func ForceForms(arena bool, layout int, noFixed, float bool) (restore func()) {
	old := colForce
	colForce = colForms{arena: arena, layout: layout, noFixed: noFixed, float: float}
	return func() { colForce = old }
}

// SetFilterDiv changes how few candidates (rows/div) make an "all" group
// test its other conditions user by user instead of scanning columns.
func SetFilterDiv(div int) (restore func()) {
	old := colFilterDiv
	colFilterDiv = div
	return func() { colFilterDiv = old }
}

// SetFirstScan changes how many users First tests (rows/div, at least
// min) before it computes the whole set.
func SetFirstScan(div, min int) (restore func()) {
	a, b := firstScanDiv, firstScanMin
	firstScanDiv, firstScanMin = div, min
	return func() { firstScanDiv, firstScanMin = a, b }
}

// SetSpans changes how many rows a scan must cover to be split over the
// cores (min) and into how many spans at most (ways).
func SetSpans(min, ways int) (restore func()) {
	a, b := spanMin, spanWays
	spanMin, spanWays = min, ways
	return func() { spanMin, spanWays = a, b }
}

// SetFirstWordHook calls fn(wi) in First before it tests word wi of the
// users (nil: nothing is called): a test reads the parts whole there, as
// a question running at the same time may.
func SetFirstWordHook(fn func(wi int)) (restore func()) {
	old := firstWordHook
	firstWordHook = fn
	return func() { firstWordHook = old }
}

// SetFirstKeptSets says whether First uses the sets of companies kept by
// earlier rules (true, the default) or decides every company condition
// a company at a time.
func SetFirstKeptSets(use bool) (restore func()) {
	old := firstKeptSets
	firstKeptSets = use
	return func() { firstKeptSets = old }
}

// SetFirstExplore changes how many words of users First's groups run
// every test on before they settle their order (0: rowOrder's, kept).
func SetFirstExplore(words int) (restore func()) {
	old := exploreWords
	exploreWords = words
	return func() { exploreWords = old }
}

// SetTrigrams changes which string columns built next get a trigram
// index (those of min positions or more) and which trigrams it keeps the
// positions of (held by at most max(positions/rareDiv, rareMin), the
// rarest first, up to budget positions per position).
func SetTrigrams(min, rareDiv, rareMin int, budget float64) (restore func()) {
	a, b, c, d := triMin, triRareDiv, triRareMin, triBudget
	triMin, triRareDiv, triRareMin, triBudget = min, rareDiv, rareMin, budget
	return func() { triMin, triRareDiv, triRareMin, triBudget = a, b, c, d }
}

// SetCompanyIndex says whether company conditions read the companies'
// users (compindex.go): always (true; made wherever a condition is
// scanned) or never (false).
func SetCompanyIndex(always bool) (restore func()) {
	old := compIndexMode
	compIndexMode = compIndexNever
	if always {
		compIndexMode = compIndexAlways
	}
	return func() { compIndexMode = old }
}

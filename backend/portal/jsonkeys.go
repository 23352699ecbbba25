package portal

import "sort"

// UnionKeys returns the keys of the decoded JSON objects ms, each once,
// sorted: the fields a comparison of settings documents walks (the
// version summary, the sync's three-way merge).
func UnionKeys(ms ...map[string]any) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

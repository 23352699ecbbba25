#!/usr/bin/env bash
# Checks the dependencies and the standard library for known
# vulnerabilities with govulncheck, offline: the vulnerability database is
# built from the golang.org/x/vulndb module (served by the Go module proxy,
# unlike vuln.go.dev, which this machine cannot reach) into build/vulndb.
set -euo pipefail
cd "$(dirname "$0")/.."
VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018
GOVULNCHECK=golang.org/x/vuln/cmd/govulncheck@v1.9.0
out=build/vulndb
if [ ! -f "$out/.version" ] || [ "$(cat "$out/.version")" != "$VULNDB_VERSION" ]; then
	dir=$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	rm -rf "$out"
	go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$dir/data/osv" -out "$out"
	echo "$VULNDB_VERSION" > "$out/.version"
fi
go run "$GOVULNCHECK" -db "file://$PWD/$out" -tags sqlite_fts5 ./...

#!/usr/bin/env bash
# Installs what building and testing Portal Studio needs and is missing:
# a C compiler for SQLite (cgo); GTK 3 and WebKitGTK 4.1 for the desktop
# window; Chromium, Xvfb, xauth, xdotool, ImageMagick and fonts for the UI
# tests; PostgreSQL for the tests of the PostgreSQL store (a throwaway
# cluster each test run starts). Go itself must be on the machine. apt-get update runs once, only
# when something is missing.
set -euo pipefail

need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v git >/dev/null 2>&1 || need+=(git)
command -v gzip >/dev/null 2>&1 || need+=(gzip)
if command -v dpkg-query >/dev/null 2>&1; then
	for pkg in libgtk-3-dev libwebkit2gtk-4.1-dev xvfb xauth xdotool imagemagick chromium fonts-dejavu-core postgresql; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
	done
fi
if ((${#need[@]})); then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "deps: installing ${need[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi
command -v go >/dev/null 2>&1 || { echo "deps: Go is not installed (Go 1.26 is needed: https://go.dev/dl/)" >&2; exit 1; }

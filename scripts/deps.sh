#!/usr/bin/env bash
# Installs what building and testing Portal Studio needs and is missing:
# a C compiler for SQLite (cgo). Go itself must be on the machine.
set -euo pipefail

need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v git >/dev/null 2>&1 || need+=(git)
if ((${#need[@]})); then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi
command -v go >/dev/null 2>&1 || { echo "deps: Go is not installed (Go 1.26 is needed: https://go.dev/dl/)" >&2; exit 1; }

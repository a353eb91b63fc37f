#!/usr/bin/env bash
# System packages the tests need, from Debian: Chromium for the page tests, npm for the
# front-end assets, OpenLink Virtuoso for the remote-store tests on a second engine. Installed
# only when missing, so a developer's machine is left alone once it has them.
#
# Virtuoso: the tests start their own throwaway server (tests/test_store_virtuoso.py), so only
# the server binary and its isql are installed: virtuoso-opensource-7-bin (virtuoso-t, isql-vt),
# the engine of Debian's virtuoso-opensource. Unlike the full package it asks no debconf
# question (the DBA password of a system database) and has no system service to start: the
# install is non-interactive and leaves nothing running.
#
# Usage: system-deps.sh [test|run]. `test` (the default): everything above, for `make test`;
# `run`: only what serving needs (npm, for the front-end assets), for `make run`.
set -euo pipefail
for_what=${1:-test}
case "$for_what" in test|run) ;; *) echo "usage: $0 [test|run]" >&2; exit 2 ;; esac
need=()
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "$for_what" = test ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  { command -v virtuoso-t && command -v isql-vt; } >/dev/null 2>&1 || need+=(virtuoso-opensource-7-bin)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages: ${need[*]} (install them, or run as root)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

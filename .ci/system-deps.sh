#!/usr/bin/env bash
# System packages the tests need, from Debian: Chromium for the page tests, npm for the
# front-end assets, OpenLink Virtuoso for the remote-store tests on a second engine. Installed
# only when missing, so a developer's machine is left alone once it has them.
#
# Virtuoso: the tests start their own throwaway server (tests/test_store_virtuoso.py), so only
# the server binary and its isql are installed: virtuoso-opensource-7-bin (virtuoso-t, isql-vt),
# Debian's virtuoso-opensource without its system service. That package has no service to
# start and asks no debconf question; should a machine resolve it to the full package, the DBA
# password question is preseeded empty (the package then leaves its daemon disabled) and no
# service may start while the packages install (policy-rc.d).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)
{ command -v virtuoso-t && command -v isql-vt; } >/dev/null 2>&1 || need+=(virtuoso-opensource-7-bin)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages: ${need[*]} (install them, or run as root)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  debconf-set-selections <<'EOF'
virtuoso-opensource-7 virtuoso-opensource-7/dba-password password
virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password
EOF
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then  # no service starts during this install; removed afterwards
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

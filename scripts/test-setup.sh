#!/usr/bin/env bash
# The first step of `npm test`: makes this machine able to run every suite, so the README's test
# command (`npm ci && npm test`) passes on a fresh machine of our kind (Debian, root, only the package
# registries reachable), and CI, which runs exactly that command, needs no set-up of its own.
#
# 1. Chromium (the browser and end-to-end suites drive it): Debian's `chromium`, installed with
#    apt-get when it is missing and we are root on Debian; anywhere else, one line saying what to
#    install and exit 1 before any suite runs.
# 2. Every hook in scripts/setup.d/*.sh, in file name order (end-to-end tools, CI's VSIXes, drivers).
#    A hook installs what a suite needs (idempotent: quick when it is there) and exits non-zero when it
#    cannot. Outside CI that is a warning and the suite that needs it skips itself with its own
#    message; under CI=true it stops `npm test` (CI must run every suite, never skip one).
set -euo pipefail
cd "$(dirname "$0")/.."

in_ci() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; }
say() { printf '[test-setup] %s\n' "$*"; }

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
chromium_runs() { "$CHROMIUM" --version >/dev/null 2>&1; }
if ! chromium_runs; then
  if [[ -z "${CHROMIUM_PATH:-}" && "$(id -u)" == 0 && -f /etc/debian_version ]] && command -v apt-get >/dev/null; then
    say "no Chromium at $CHROMIUM: installing Debian's chromium (apt-get install chromium)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null
    chromium_runs || { echo "[test-setup] apt-get installed chromium but $CHROMIUM --version still fails" >&2; exit 1; }
  else
    echo "[test-setup] npm test needs Chromium at $CHROMIUM: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary" >&2
    exit 1
  fi
fi
say "$("$CHROMIUM" --version 2>/dev/null | head -n 1)"

for hook in scripts/setup.d/*.sh; do
  [[ -e "$hook" ]] || continue
  say "running $hook"
  if ! bash "$hook"; then
    if in_ci; then
      echo "[test-setup] $hook failed (CI=true: every suite must run)" >&2
      exit 1
    fi
    say "WARNING: $hook failed (output above); the suites that need it will skip"
  fi
done

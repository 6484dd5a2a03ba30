#!/usr/bin/env bash
# Proves that the README's commands pass on a fresh machine without Chromium: in a fresh clone of the
# current branch, inside a throw-away copy of this machine's root file system where Debian's chromium
# package is removed, runs each command of the README's first code block (`npm ci && npm run sample`,
# `npm ci && npm test`, read by scripts/readme-commands.mjs) and checks that each exits 0.
#
# The copy is an overlay (lower: this machine's /, upper: a tmpfs) entered with chroot in a private
# mount namespace (unshare -m), so `dpkg -r chromium` and the `apt-get install chromium` that npm test
# then does change only the copy: nothing on this machine is installed, removed or locked. The npm
# cache is this machine's (copied on write), so packages already downloaded are not fetched again;
# .tools/ and node_modules start empty (a fresh clone). Needs root, unshare and overlayfs. Slow: it
# runs the whole test suite (see docs/test-setup.md for a measured run).
# Usage: bash scripts/check-readme-commands.sh   (CI is unset inside: a user's shell, not CI's)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
say() { printf '[check-readme] %s\n' "$*"; }
[[ "$(id -u)" == 0 ]] || { echo "[check-readme] needs root (unshare -m, mount, chroot)" >&2; exit 2; }
command -v unshare >/dev/null || { echo "[check-readme] needs unshare (util-linux)" >&2; exit 2; }

WORK="$(mktemp -d /var/tmp/readme-check.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
branch="$(git -C "$REPO" rev-parse --abbrev-ref HEAD)"
say "fresh clone of $branch ($(git -C "$REPO" rev-parse --short HEAD)) in $WORK/clone"
git clone --quiet --branch "$branch" "$REPO" "$WORK/clone"
[[ -z "$(git -C "$REPO" status --porcelain)" ]] || say "note: uncommitted changes in $REPO are not in the clone"

cat > "$WORK/inside.sh" <<'INSIDE'
set -uo pipefail
unset CI
cd /fresh
# No Chromium: remove Debian's package in this copy of the system only.
dpkg -r chromium >/dev/null 2>&1 || true
if /usr/bin/chromium --version >/dev/null 2>&1 || command -v chromium >/dev/null 2>&1; then
  echo "[check-readme] could not remove chromium from the copy" >&2; exit 2
fi
echo "[check-readme] chromium is not installed here ($(dpkg-query -W -f='${Status}' chromium 2>/dev/null || echo 'no package'))"
mapfile -t commands < <(node scripts/readme-commands.mjs)
failed=0
for command in "${commands[@]}"; do
  echo "[check-readme] running: $command   (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  started=$(date +%s)
  bash -c "$command"
  status=$?
  echo "[check-readme] exit $status after $(( $(date +%s) - started )) s: $command   (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  [[ $status == 0 ]] || failed=1
done
exit $failed
INSIDE

set +e
unshare -m --propagation private bash -euo pipefail -c '
  W="$1"
  mkdir -p "$W/layer" "$W/root"
  mount -t tmpfs -o size=8g tmpfs "$W/layer"
  mkdir -p "$W/layer/upper" "$W/layer/work"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$W/layer/upper,workdir=$W/layer/work" "$W/root"
  for dir in dev proc sys; do mount --rbind "/$dir" "$W/root/$dir"; done
  mount -t tmpfs -o size=8g tmpfs "$W/root/tmp"
  mkdir -p "$W/root/fresh"
  mount --bind "$W/clone" "$W/root/fresh"
  cp "$W/inside.sh" "$W/root/inside.sh"
  exec chroot "$W/root" /bin/bash /inside.sh
' check "$WORK"
status=$?
set -e
if [[ $status == 0 ]]; then say "PASS: every command of the README's first code block exited 0"; else say "FAIL (exit $status)"; fi
exit $status

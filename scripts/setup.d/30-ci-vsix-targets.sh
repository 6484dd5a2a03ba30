#!/usr/bin/env bash
# Hook of scripts/test-setup.sh, under CI only: packages the host's VSIX and the foreign targets of
# scripts/packaging/targets.json ("ciTargets") into vsix/, which test/unit/packaging checks. Outside
# CI that test checks whatever `npm run package:all` left there (all seven download ~100 MB).
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ "${CI:-}" == "true" || "${CI:-}" == "1" ]] || exit 0
exec node scripts/packaging/packageTargets.mjs --ci

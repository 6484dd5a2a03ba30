#!/usr/bin/env bash
# Hook of scripts/test-setup.sh: a Vulkan driver Dawn accepts (Mesa 25 from bookworm-backports,
# a software adapter), so the webgpu unit test runs without a GPU (scripts/install-vulkan-driver.sh;
# idempotent). Where it cannot be installed the webgpu test skips, except under CI=true.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ "$(id -u)" != 0 ]]; then
  echo "[vulkan-driver] not root: cannot apt-get Mesa 25; run scripts/install-vulkan-driver.sh as root for the webgpu test"
  exit 1
fi
exec bash scripts/install-vulkan-driver.sh

#!/usr/bin/env bash
# Installs a Vulkan driver that Dawn (the npm package `webgpu`) accepts, so the webgpu backend can be
# tested on a machine without a GPU: Mesa 25 from Debian's bookworm-backports suite gives Dawn a
# software adapter (llvmpipe). Debian 12's own Mesa 22.3 is rejected by Dawn ("Vulkan
# shaderUniform*ArrayDynamicIndexing required"). Idempotent: a no-op when the driver is already there.
# Needs root (apt-get) and Debian 12 (bookworm).
set -euo pipefail

want_major=25
installed=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
if [[ -n "$installed" && "${installed%%.*}" -ge "$want_major" ]] 2>/dev/null; then
  echo "mesa-vulkan-drivers $installed already installed"
  exit 0
fi

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [[ "$codename" != "bookworm" ]]; then
  echo "install-vulkan-driver.sh: expected Debian 12 (bookworm), found '${codename:-unknown}'; install Mesa >= $want_major's Vulkan driver yourself" >&2
  exit 1
fi

# The Debian mirror the machine already uses (deb822 .sources or one-line .list), so no new host is contacted.
mirror=$( (grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources || true) |
  grep -oE 'https?://[^ ]+/debian/?( |$)' | head -n1 | tr -d ' ' || true)
mirror=${mirror%/}
if [[ -z "$mirror" ]]; then
  echo "install-vulkan-driver.sh: no Debian mirror found in /etc/apt/sources.list*; add bookworm-backports yourself" >&2
  exit 1
fi

list=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb $mirror bookworm-backports main" >"$list"
  echo "added $list ($mirror)"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers >/dev/null
echo "mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) installed"

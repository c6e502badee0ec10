#!/usr/bin/env bash
# Runs the Scuttlebutt ecosystem's SHS v1 interop harness (npm package shs1-test, GPL-3.0, not
# vendored) against zwerm-shs-server and zwerm-shs-client: 45 handshakes per role, 20 honest
# and 25 with a bad msg1/msg3 (server role) or msg2/msg4 (client role) that must be refused.
#
# Usage: run_shs1_test.sh NPM_DIR CLIENT_EXE SERVER_EXE
#   NPM_DIR  where shs1-test is installed once (npm install --prefix), in the build tree.
# Environment: ZWERM_SHS1_SEED (the harness's PRNG seed; default fixed, "random" for none).
# Exits 77 (reported as skipped by ctest) when node/npm or the package is not available.
set -uo pipefail

skip() {
  echo "skipped: $*"
  exit 77
}

[[ $# -eq 3 ]] || { echo "usage: $0 NPM_DIR CLIENT_EXE SERVER_EXE" >&2; exit 2; }
npm_dir=$1
client_exe=$2
server_exe=$3
version=1.1.1
harness=$npm_dir/node_modules/shs1-test

command -v node >/dev/null || skip "node (Node.js) is not installed; needed for the shs1-test harness"

if [[ ! -f $harness/test-server.js || ! -f $harness/test-client.js ]]; then
  command -v npm >/dev/null || skip "npm is not installed; needed to fetch the shs1-test harness"
  echo "installing shs1-test@$version from the npm registry into $npm_dir"
  tmp=$npm_dir.tmp.$$
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # --ignore-scripts: no native build; the harness's crypto falls back to pure JavaScript.
  if ! timeout 60 npm install --prefix "$tmp" --ignore-scripts --no-audit --no-fund \
      --loglevel=error --fetch-retries=1 --fetch-timeout=20000 "shs1-test@$version" \
      >"$tmp.log" 2>&1; then
    tail -n 5 "$tmp.log"
    rm -rf "$tmp" "$tmp.log"
    skip "could not install shs1-test@$version with npm (is the npm registry reachable?)"
  fi
  rm -f "$tmp.log"
  # Moved into place only when complete, so an interrupted install is never used.
  mv -T "$tmp" "$npm_dir" 2>/dev/null || rm -rf "$tmp"
fi

seed=${ZWERM_SHS1_SEED:-zwerm-shs1}
seed_args=("$seed")
[[ $seed == random ]] && seed_args=()

status=0
for role in server client; do
  exe=$server_exe
  [[ $role == client ]] && exe=$client_exe
  echo "== shs1-test, $role role: $exe (seed $seed)"
  # The harness's exit code is its number of failed handshakes.
  timeout 60 node "$harness/test-$role.js" "$exe" "${seed_args[@]}"
  rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "FAILED: $role role, harness exit code $rc"
    status=1
  fi
done
exit $status

#!/usr/bin/env bash
# Installs the C libraries PosLab links against (Debian packages), only if they are missing.
# GSL: statistics and seeded random numbers. OpenBLAS: every matrix product (cblas_sgemm).
# With --tests, also what the test command needs: xmllint (libxml2-utils) to validate the report's
# SVG files, and Chromium to render the report.
set -euo pipefail
packages=(libgsl-dev libopenblas-dev)
if [ "${1:-}" = "--tests" ]; then packages+=(libxml2-utils chromium); fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "bootstrap: Swift 6 is required (https://swift.org/install)" >&2; exit 1; }

#!/usr/bin/env bash
# Renders a PosLab report in headless Chromium (Debian's `chromium`, installed when missing) and
# checks what a reader's browser would show:
#   - no console errors, and no resource fetched (the page must be self-contained: the Resource
#     Timing entries a probe reads must be empty; every host name resolves to nothing anyway);
#   - every figure has a non-zero size once laid out;
#   - a screenshot, saved beside the report as report.png.
# Usage: Scripts/check_report.sh Results/quick/report/report.html
set -euo pipefail
html="$(realpath "$1")"
dir="$(dirname "$html")"
if ! command -v chromium >/dev/null; then
  echo "check_report: installing chromium" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$work/profile"
       --disable-background-networking --disable-component-update --no-first-run --disable-sync
       --disable-default-apps --mute-audio --hide-scrollbars --host-resolver-rules="MAP * ~NOTFOUND")

# 1. The page as it is: screenshot, console and network log.
chromium "${flags[@]}" --window-size=1200,2400 --enable-logging=stderr --v=0 \
  --screenshot="$dir/report.png" "file://$html" >"$work/out.txt" 2>"$work/err.txt" || {
  cat "$work/err.txt" >&2; echo "check_report: chromium failed" >&2; exit 1; }
[ -s "$dir/report.png" ] || { echo "check_report: no screenshot" >&2; exit 1; }
if grep -E 'CONSOLE|Uncaught|Failed to load resource' "$work/err.txt" >&2; then
  echo "check_report: console messages above" >&2; exit 1
fi

# 2. A copy with a probe that writes each figure's laid-out size into the title.
cp "$dir"/*.svg "$work/" 2>/dev/null || true
python3 - "$html" "$work/probe.html" <<'PY'
import sys
page = open(sys.argv[1]).read()
probe = """<script>
window.addEventListener('load', () => {
  const sizes = [...document.querySelectorAll('figure svg')].map(s => { const r = s.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; });
  const fetched = performance.getEntriesByType('resource').map(e => e.name);
  document.title = 'SIZES ' + JSON.stringify(sizes) + ' FETCHED ' + JSON.stringify(fetched);
});
</script>"""
open(sys.argv[2], "w").write(page.replace("</body>", probe + "</body>"))
PY
chromium "${flags[@]}" --window-size=1200,2400 --virtual-time-budget=2000 --dump-dom "file://$work/probe.html" \
  >"$work/dom.html" 2>/dev/null
python3 - "$work/dom.html" <<'PY'
import json, re, sys
dom = open(sys.argv[1]).read()
m = re.search(r"<title>SIZES (\[.*?\]) FETCHED (\[.*?\])</title>", dom)
if not m:
    sys.exit("check_report: the probe did not run (no figure sizes)")
sizes, fetched = json.loads(m.group(1)), json.loads(m.group(2))
if fetched:
    sys.exit(f"check_report: the page fetched resources: {fetched}")
if not sizes or any(w <= 0 or h <= 0 for w, h in sizes):
    sys.exit(f"check_report: figures with no size: {sizes}")
print(f"check_report: {len(sizes)} figures laid out ({', '.join(f'{w}×{h}' for w, h in sizes)}); no console errors, no network requests; screenshot ", end="")
PY
echo "$dir/report.png"

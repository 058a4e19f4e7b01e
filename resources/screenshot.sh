#!/usr/bin/env bash
# Screenshot of the demo wall as an operator sees it: the real program on a virtual X
# screen (Xvfb), after the demo has run long enough for its flaky camera to drop out.
# Usage: resources/screenshot.sh OUT.png [SECONDS] [GRID]
set -euo pipefail
out=${1:-docs/wall.png}
wait_s=${2:-56}
grid=${3:-3x3}
cd "$(dirname "$0")/.."
command -v import >/dev/null || {
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get install -y -qq --no-install-recommends imagemagick >/dev/null
}
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1920x1080x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $demo $xvfb 2>/dev/null || true' EXIT
sleep 1
DISPLAY=$display MALLOC_ARENA_MAX=2 .venv/bin/python main.py --log-level warning demo --db none --grid "$grid" &
demo=$!
sleep "$wait_s"
DISPLAY=$display import -window root "$out"
echo "wrote $out"

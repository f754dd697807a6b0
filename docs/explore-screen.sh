#!/usr/bin/env bash
# Makes docs/explore-example.png: diet explore on the example image in a
# 100×26 tmux, layer 3 selected and /root/.cache filtered (as
# TestExploreInTerminal drives it), the screen with its colours turned
# into HTML by aha and photographed by headless chromium.
# Needs: go, tmux, aha, chromium (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'tmux -S "$work/sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/diet" ./cmd/diet
go run ./internal/fixture/cmd/mkexample -o "$work/example.tar" >/dev/null
tmux -S "$work/sock" new-session -d -x 100 -y 26 -s x "cd '$work' && TERM=xterm-256color ./diet explore example.tar"
sleep 2
tmux -S "$work/sock" send-keys -t x 3
sleep 0.3
tmux -S "$work/sock" send-keys -t x /
tmux -S "$work/sock" send-keys -t x -l /root/.cache
tmux -S "$work/sock" send-keys -t x Enter
sleep 0.6
tmux -S "$work/sock" capture-pane -e -p -t x >"$work/screen.ansi"
tmux -S "$work/sock" send-keys -t x q
# aha reverses with the colour before a reset that follows: reset first.
sed 's/\x1b\[7m\x1b\[39m/\x1b[39m\x1b[7m/g' "$work/screen.ansi" | aha --black --title "diet explore" |
	sed 's|<pre>|<pre style="font: 15px/1.25 DejaVu Sans Mono, monospace; margin: 8px;">|' >"$work/screen.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
	--window-size=960,520 --screenshot="$PWD/docs/explore-example.png" "file://$work/screen.html" 2>/dev/null
echo "wrote docs/explore-example.png"

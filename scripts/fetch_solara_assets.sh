#!/usr/bin/env bash
# Fill solara-server's CDN proxy cache with the front-end packages the dashboard
# asks for, taken from the npm registry, so the page also renders offline.
#
# Usage: scripts/fetch_solara_assets.sh [VENV]     (default: .venv at the repo root)
#
# solara-server answers /_solara/cdn/<spec>/<file> from $VENV/share/solara/cdn/<spec>/
# before it tries cdn.jsdelivr.net, so each directory name must be exactly the spec
# solara requests (e.g. "vega@5"). Idempotent: a package whose package.json is
# already there is skipped; each package is unpacked aside and moved into place,
# so an interrupted run never leaves a half-filled directory behind.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${1:-$ROOT/.venv}
CDN="$VENV/share/solara/cdn"

# Versions match solara 1.64 with ipyvue 1.13 / ipyvuetify 1.12 (Vue 2).
PKGS=(
  "@widgetti/solara-vuetify-app@10.1.1"       # Vuetify-2 front end (ipyvuetify 1.x)
  "font-awesome@4.5.0"
  "requirejs@2.3.6"
  "@widgetti/vue-grid-layout@2.3.13-alpha.2"  # solara.GridDraggable (Mesa SolaraViz)
  "vega@5"                                    # solara.FigureAltair / Mesa's altair backend
  "vega-lite@5"
  "vega-embed@6"
  "mermaid@10.8.0"                            # solara.Markdown loads it on every page
  "katex@0.16.9"                              # ... then KaTeX (math in Markdown)
)

missing=()
for spec in "${PKGS[@]}"; do
  [ -e "$CDN/$spec/package.json" ] || missing+=("$spec")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch_solara_assets: npm not found; cannot cache ${missing[*]}" >&2
  echo "fetch_solara_assets: install it (apt-get install npm) for an offline dashboard" >&2
  exit 1
fi

mkdir -p "$CDN"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for spec in "${missing[@]}"; do
  tgz=$(cd "$TMP" && npm pack --silent "$spec" | tail -n 1)
  unpacked="$TMP/unpacked"
  rm -rf "$unpacked" && mkdir -p "$unpacked"
  tar xzf "$TMP/$tgz" -C "$unpacked" --strip-components=1
  mkdir -p "$(dirname "$CDN/$spec")"  # scoped packages: cdn/@widgetti/...
  rm -rf "${CDN:?}/$spec"
  mv "$unpacked" "$CDN/$spec"
  echo "fetch_solara_assets: cached $spec ($tgz)"
done

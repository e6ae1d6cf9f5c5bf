#!/usr/bin/env bash
# Rebuild the vendored Leaflet (maps) and Chart.js (charts) static files from the npm registry.
# Only the built browser files are kept; no bundler is needed to use them.
set -euo pipefail
LEAFLET_VERSION="${1:-1.9.4}"
CHARTJS_VERSION="${2:-4.6.1}"
here="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$here/commonground/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "leaflet@$LEAFLET_VERSION" "chart.js@$CHARTJS_VERSION" >/dev/null

# The .map files are not shipped, so drop their references: Django's ManifestStaticFilesStorage
# (collectstatic) fails on a sourceMappingURL that points at a missing file.
strip_map() { sed -e '/^\/\/# sourceMappingURL=/d' "$1" > "$2"; }

licence() {  # licence() PACKAGE DEST: record what was vendored and copy its licence text
  local pkg="node_modules/$1"
  local version spdx
  version="$(node -p "require('./$pkg/package.json').version")"
  spdx="$(node -p "require('./$pkg/package.json').license")"
  cat "$pkg"/LICENSE* > "$2/LICENCE.txt"
  echo "$1 $version (npm), licence $spdx; built files only, source maps removed" > "$2/VERSION"
  echo "vendored $1 $version into $2"
}

rm -rf "$vendor/leaflet" "$vendor/chartjs"
mkdir -p "$vendor/leaflet" "$vendor/chartjs"

# leaflet.css refers to images/ (layer control and the default marker), so the folder goes too.
strip_map node_modules/leaflet/dist/leaflet.js "$vendor/leaflet/leaflet.js"
cp node_modules/leaflet/dist/leaflet.css "$vendor/leaflet/"
cp -r node_modules/leaflet/dist/images "$vendor/leaflet/"
licence leaflet "$vendor/leaflet"

# Chart.js 4 ships its UMD (window.Chart) build as chart.umd.min.js in newer releases, chart.umd.js in older.
umd=node_modules/chart.js/dist/chart.umd.min.js
[ -f "$umd" ] || umd=node_modules/chart.js/dist/chart.umd.js
strip_map "$umd" "$vendor/chartjs/$(basename "$umd")"
licence chart.js "$vendor/chartjs"

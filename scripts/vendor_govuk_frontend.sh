#!/usr/bin/env bash
# Rebuild the vendored GOV.UK Frontend static files from the npm registry.
# Non-GOV.UK services must not use the GDS Transport font or the crown, so the Sass is compiled
# with Arial (GOV.UK Design System guidance "Using GOV.UK Frontend outside GOV.UK").
set -euo pipefail
VERSION="${1:-6.6.0}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/commonground/static/govuk-frontend"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "govuk-frontend@$VERSION" sass@1 >/dev/null
cat > cg.scss <<'SCSS'
@use "govuk-frontend/dist/govuk" with (
  $govuk-font-family: (arial, sans-serif),
  $govuk-assets-path: "/static/govuk-frontend/assets/"
);
SCSS
npx sass --style=compressed --no-source-map --load-path=node_modules cg.scss govuk-frontend.min.css
rm -rf "$dest"
mkdir -p "$dest"
# The footer crest image is Crown property for GOV.UK only: drop the reference, ship no image.
sed -e 's|url("/static/govuk-frontend/assets/images/govuk-crest.svg")|none|g' govuk-frontend.min.css > "$dest/govuk-frontend.min.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$dest/"
echo "GOV.UK Frontend is released under the MIT licence, (c) Crown copyright (Government Digital Service)." > "$dest/LICENCE.txt"
echo "govuk-frontend $VERSION (npm), compiled with sass $(npx sass --version) using Arial; fonts and crown not included" > "$dest/VERSION"
echo "vendored govuk-frontend $VERSION into $dest"

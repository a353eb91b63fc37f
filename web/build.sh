#!/usr/bin/env bash
# Front-end assets from the npm registry, copied into api/static/vendor/ (git-ignored) so the
# service serves them from its own origin: no CDN at run time. Called by `make assets`.
set -euo pipefail
cd "$(dirname "$0")"

if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --ignore-scripts
else
  npm install --no-audit --no-fund --ignore-scripts
fi

vendor=../api/static/vendor
rm -rf "$vendor"
# One line per asset: <file in node_modules> <destination under api/static/vendor>.
while read -r source target; do
  [ -n "$source" ] || continue
  mkdir -p "$vendor/$(dirname "$target")"
  cp "node_modules/$source" "$vendor/$target"
done <<'ASSETS'
@zazuko/yasgui/build/yasgui.min.js yasgui/yasgui.min.js
@zazuko/yasgui/build/yasgui.min.css yasgui/yasgui.min.css
cytoscape/dist/cytoscape.min.js cytoscape.min.js
ASSETS
echo "assets in api/static/vendor: $(cd "$vendor" && find . -type f | sort | tr '\n' ' ')"

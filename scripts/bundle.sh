#!/usr/bin/env bash
# Produces build/app: what the container image ships. Production dependencies only (npm ci --omit=dev from
# the lockfile), the compiled JavaScript, the locales and the Slack manifest. CI runs it and starts the bot
# from build/app, so the image's contents are exercised without a Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
rm -rf build/app
mkdir -p build/app
cp package.json package-lock.json manifest.yml build/app/ 2>/dev/null || cp package.json package-lock.json build/app/
cp -r dist build/app/dist
rm -rf build/app/dist/test build/app/dist/scripts build/app/dist/bench build/app/dist/vitest.config.js* 2>/dev/null || true
find build/app/dist -name '*.map' -delete
cp -r locales build/app/locales
(cd build/app && npm ci --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
echo "build/app: $(du -sh build/app | cut -f1), $(ls build/app/node_modules | wc -l) top-level packages"

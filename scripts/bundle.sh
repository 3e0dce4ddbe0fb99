#!/usr/bin/env bash
# Produces build/app: what the container image ships. Production dependencies only (npm ci --omit=dev from
# the lockfile; --omit=optional drops TypeScript, which i18next lists as an optional peer), the compiled
# JavaScript, the locales, the demo scenarios and the Slack manifest. The IAM policy evaluator
# (@cloud-copilot/iam-simulate, AGPL-3.0) is a development dependency, so it is not in the bundle: the checks that
# would evaluate a policy locally say so (README, "Licences"), and test/e2e/bundle.test.ts fails on any licence
# outside its allow-list. test/e2e/bundle.test.ts (part of npm
# test, so of CI) runs it and starts the CLI and the bot from the result, so the image's contents are exercised
# without a Docker engine.
set -euo pipefail
# BUNDLE_OUT: another output directory (the test bundles into a temporary one); BUNDLE_SKIP_BUILD=1: dist/ is
# already built (npm test builds it first).
cd "$(dirname "$0")/.."
out="${BUNDLE_OUT:-build/app}"
[ "${BUNDLE_SKIP_BUILD:-}" = 1 ] || npm run build >/dev/null
rm -rf "$out"
mkdir -p "$out"
cp package.json package-lock.json manifest.yml "$out"/
mkdir -p "$out/dist"
cp -r dist/src "$out/dist/src"
find "$out/dist" -name '*.map' -delete
cp -r locales "$out/locales"
# The offline demo's scenarios (`ecs-pull demo` finds them next to dist/). Skipped where the source tree has no
# demo/: the Dockerfile's build stage copies only what it lists.
if [ -d demo ]; then cp -r demo "$out/demo"; fi
(cd "$out" && npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund >/dev/null)
echo "$out: $(du -sh "$out" | cut -f1), $(ls "$out/node_modules" | wc -l) top-level packages"

#!/usr/bin/env bash
# Installs Debian's chromium for the HTML report test (test/e2e/html-report.test.ts), which loads
# the report in a headless browser. Run as root on Debian or Ubuntu; elsewhere install Chromium
# by hand and point CHROMIUM_PATH at it.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium

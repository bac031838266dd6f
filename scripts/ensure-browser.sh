#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the browser test when they are missing.
# A test tool's own browser download does not work on our machines, so we use the distro's.
set -u
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-browser: Chromium is missing and cannot be installed here (needs root and apt-get);"
  echo "ensure-browser: the browser test will be skipped. Install 'chromium chromium-driver' to run it."
  exit 0
fi
echo "ensure-browser: installing Debian's chromium and chromium-driver..."
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null; }; then
  echo "ensure-browser: installing Chromium failed; the browser test will be skipped."
fi
exit 0

#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries for the PostgreSQL store tests when missing.
# The tests start a throwaway server of their own from these binaries; nothing runs as a service.
set -u
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-postgres: PostgreSQL is missing and cannot be installed here (needs root and apt-get);"
  echo "ensure-postgres: the PostgreSQL tests will be skipped. Install Debian's 'postgresql' to run them."
  exit 0
fi
echo "ensure-postgres: installing Debian's postgresql..."
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends postgresql >/dev/null; }; then
  echo "ensure-postgres: installing PostgreSQL failed; the PostgreSQL tests will be skipped."
fi
exit 0

#!/usr/bin/env bash
# Install the system libraries WeasyPrint needs (Debian/Ubuntu), when they are missing.
# Pango renders text; harfbuzz-subset makes small embedded font subsets.
set -euo pipefail
missing=()
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0; do
  ldconfig -p | grep -q "$lib" || missing+=("$lib")
done
[ ${#missing[@]} -eq 0 ] && exit 0
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system libraries: $packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
else
  echo "Missing system libraries (${missing[*]}). Install them first, e.g.:" >&2
  echo "  sudo apt-get install $packages" >&2
  exit 1
fi

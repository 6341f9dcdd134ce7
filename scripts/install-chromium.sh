#!/usr/bin/env bash
# Installs Debian's chromium-headless-shell for the site's browser tests (site/test/browser.ts
# launches it), which drive it through playwright-core: the same Blink as Debian's chromium
# without the desktop browser, lighter to run headless. Idempotent: does nothing when
# /usr/bin/chromium-headless-shell exists.
# Needs root (or passwordless sudo) and Debian's package archive; no browser download of its own.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium-headless-shell}"

if [ -x "$CHROMIUM" ]; then
  echo "install-chromium: $CHROMIUM is already installed ($("$CHROMIUM" --version 2>/dev/null || echo unknown version))"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "install-chromium: $CHROMIUM is missing and this user can neither run apt-get nor sudo" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: apt-get not found; install chromium-headless-shell with this system's package manager" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium-headless-shell fonts-dejavu-core
echo "install-chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium-headless-shell)"

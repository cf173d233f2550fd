#!/usr/bin/env bash
# Debian packages MotCua needs at run and test time: Chromium for the browser tests, Pango for
# WeasyPrint's PDFs, fonts that carry every Vietnamese letter, gettext for translations,
# poppler-utils for PDF-to-PNG test artefacts, SoftHSM2 and OpenSC for signing with keys on a
# PKCS#11 token.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v npm >/dev/null 2>&1 || need+=(npm)
# pdftoppm renders the official forms and signed results to PNG test artefacts people look at.
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/lib/x86_64-linux-gnu/libpango-1.0.so.0 ] || [ -e /usr/lib/aarch64-linux-gnu/libpango-1.0.so.0 ] \
  || need+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi "Noto Sans" || need+=(fonts-noto-core)
# Signing with PKCS#11 tokens is tested against a SoftHSM2 software token; OpenSC's pkcs11-tool
# imports keys onto it (and onto real tokens: docs/signing.md).
command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2)
command -v pkcs11-tool >/dev/null 2>&1 || need+=(opensc)

[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "Missing system packages: ${need[*]} — install them with: sudo apt-get install ${need[*]}" >&2
  # Not fatal: the web app runs without them; browser and PKCS#11 tests skip without them (not in CI).
fi

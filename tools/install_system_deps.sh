#!/usr/bin/env bash
# Installs the Debian packages the local stack needs when they are missing, and checks the
# rest: Tesseract's English, Russian and German data (the offline engine's libtesseract comes with
# the tesserocr wheel; `make build` bundles these files); Java and the Pub/Sub emulator.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  echo "Installing Debian packages: $*"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
for lang in eng rus deu; do
  if ! compgen -G "/usr/share/tesseract-ocr/*/tessdata/$lang.traineddata" >/dev/null; then
    missing+=("tesseract-ocr-$lang")
  fi
done
command -v java >/dev/null || missing+=(default-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

emulator_found() {
  for root in /usr/lib/google-cloud-sdk /usr/share/google-cloud-sdk; do
    [ -x "$root/platform/pubsub-emulator/bin/cloud-pubsub-emulator" ] && return 0
  done
  root=$(gcloud info --format='value(installation.sdk_root)' 2>/dev/null || true)
  [ -n "$root" ] && [ -x "$root/platform/pubsub-emulator/bin/cloud-pubsub-emulator" ]
}
if ! emulator_found; then
  if apt-cache show google-cloud-cli-pubsub-emulator >/dev/null 2>&1; then
    apt_install google-cloud-cli-pubsub-emulator
  else
    echo "The Pub/Sub emulator is missing. Install the Google Cloud CLI and its component:" >&2
    echo "  gcloud components install pubsub-emulator   (or apt-get install google-cloud-cli-pubsub-emulator)" >&2
    exit 1
  fi
fi

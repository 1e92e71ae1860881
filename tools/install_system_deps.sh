#!/usr/bin/env bash
# Installs the Debian packages the local stack needs when they are missing, and checks the
# rest: Tesseract's English, Russian and German data (the offline engine's libtesseract comes with
# the tesserocr wheel; `make build` bundles these files); Java and the Pub/Sub and Firestore emulators.
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

# The emulators the local stack runs: Pub/Sub, and Firestore for the receipt records.
component_found() {  # component_found <path under the SDK root>
  for root in /usr/lib/google-cloud-sdk /usr/share/google-cloud-sdk \
              "$(gcloud info --format='value(installation.sdk_root)' 2>/dev/null || true)"; do
    [ -n "$root" ] && [ -x "$root/$1" ] && return 0
  done
  return 1
}
for component in pubsub-emulator:platform/pubsub-emulator/bin/cloud-pubsub-emulator \
                 firestore-emulator:platform/cloud-firestore-emulator/cloud_firestore_emulator; do
  name=${component%%:*} path=${component#*:}
  component_found "$path" && continue
  if apt-cache show "google-cloud-cli-$name" >/dev/null 2>&1; then
    apt_install "google-cloud-cli-$name"
  else
    echo "The $name is missing. Install the Google Cloud CLI and its component:" >&2
    echo "  gcloud components install $name   (or apt-get install google-cloud-cli-$name)" >&2
    exit 1
  fi
done

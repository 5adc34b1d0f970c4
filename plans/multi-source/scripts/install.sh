#!/bin/sh
# Install $PACKAGES with whichever package manager the image has.
set -eu
if [ -n "${APK:-}" ]; then
  apk add --no-cache $PACKAGES
else
  apt-get update && apt-get install -y --no-install-recommends $PACKAGES
fi
test -n "$API_TOKEN"

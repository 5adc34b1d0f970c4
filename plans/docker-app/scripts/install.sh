#!/bin/sh
# Make the app runnable and record its version.
set -eu
chmod 0755 "$APP_DIR/run.sh"
printf '%s\n' "$APP_VERSION" > "$APP_DIR/VERSION"
printf 'PORT=%s\n' "$APP_PORT" > "$APP_DIR/env"

#!/bin/sh
# Write the greeting into /etc/motd.
set -eu
mkdir -p /etc
printf '%s\n' "$GREETING" > /etc/motd

#!/bin/sh
# Serve the static folder.
. /srv/app/env
exec httpd -f -p "$PORT" -h /srv/app/static

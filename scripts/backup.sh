#!/usr/bin/env bash
# Backs up the portal (SECURITY.md G-08) into DESTINATION, a new directory: the database
# with pg_dump (custom format), then every stored file (pièces, public documents) with
# `portail-famille fichiers exporter`, and the dump's checksum. Reads the server's own
# settings from the environment: DATABASE_URL, STORAGE_URL and, for S3, the AWS_*
# variables. scripts/restore.sh puts it back. The README's « Sauvegardes » says how often
# and where to keep it; the restore drill (api/tests/it/backup.rs) runs both scripts.
#
#   scripts/backup.sh /srv/sauvegardes/portail-$(date +%F)
set -euo pipefail
DEST=${1:?usage: scripts/backup.sh DESTINATION}
BIN=${PORTAIL_FAMILLE_BIN:-portail-famille}
: "${DATABASE_URL:?DATABASE_URL (postgres://…) is needed}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *)
    echo "PostgreSQL only. The embedded SQLite default is backed up by stopping the server and copying its data/ directory." >&2
    exit 2
    ;;
esac
mkdir -p "$DEST"
if [ -n "$(ls -A "$DEST")" ]; then
  echo "$DEST is not empty: a backup goes into a new directory" >&2
  exit 2
fi

# The database first, then the files. Files are never changed, only added and deleted: one
# added after the dump is an orphan that the collector removes after a restore; one deleted
# between the two steps (its piece deleted) is the window S3 bucket versioning closes.
pg_dump --format=custom --no-owner --no-privileges --file="$DEST/base.dump" "$DATABASE_URL"
"$BIN" fichiers exporter --vers "$DEST/fichiers"
(cd "$DEST" && sha256sum base.dump >SHA256SUMS)
echo "Sauvegarde terminée : $DEST"

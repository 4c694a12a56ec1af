#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh from SOURCE into the database DATABASE_URL,
# which must exist and be empty (`createdb`), and the store STORAGE_URL (a new bucket or
# directory; for S3, the AWS_* variables). Then start the server on them as usual: it
# finds its migrations applied.
#
#   createdb portail_restauree
#   DATABASE_URL=postgres://…/portail_restauree STORAGE_URL=s3://portail-restauree \
#     scripts/restore.sh /srv/sauvegardes/portail-2026-12-08
set -euo pipefail
SRC=${1:?usage: scripts/restore.sh SOURCE}
BIN=${PORTAIL_FAMILLE_BIN:-portail-famille}
: "${DATABASE_URL:?DATABASE_URL (postgres://…) of an empty database is needed}"

(cd "$SRC" && sha256sum --check --quiet SHA256SUMS)
# All or nothing: a restore that fails half-way leaves the database empty.
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$SRC/base.dump"
"$BIN" fichiers importer --depuis "$SRC/fichiers"
echo "Restauration terminée depuis $SRC"

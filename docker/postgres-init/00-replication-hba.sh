#!/bin/sh
# Run by the postgres image's entrypoint on first start, before 01-shop.sql.
# The image's pg_hba.conf admits other containers to every database, but the
# keyword "all" does not cover replication connections, which cdcd's stream
# uses: allow those for the cdc user (password-checked, like the rest).
set -eu
echo "host replication cdc all scram-sha-256" >> "$PGDATA/pg_hba.conf"

#!/bin/sh
# Creates and migrates Temporal's two Postgres databases; safe to re-run (migrations are versioned).
set -eu
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12
sql() { temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u temporal --pw "$SQL_PASSWORD" "$@"; }
for db in temporal temporal_visibility; do
  sql --db "$db" create-database || true
done
sql --db temporal setup-schema -v 0.0
sql --db temporal update-schema -d "$SCHEMA_DIR/temporal/versioned"
sql --db temporal_visibility setup-schema -v 0.0
sql --db temporal_visibility update-schema -d "$SCHEMA_DIR/visibility/versioned"

#pragma once
/// @file postgis_out.hpp
/// Writing a command's vector outputs to a PostGIS schema in one transaction.
///
/// The commands write GeoPackages (vector_out.hpp); with `--out PG:...` the CLI points them at a
/// private temporary folder and, once the command has succeeded, copies every vector layer of
/// every GeoPackage written there into one PostgreSQL schema inside ONE transaction: each
/// table is dropped and re-created, so either every layer of the run replaces its previous
/// table or, on any failure (server error, a lost connection, the process killed), the
/// server rolls back and the previous tables stay exactly as they were.
/// Identifiers (schema, table, column names) are passed to PostgreSQL double-quoted with
/// embedded quotes doubled (GDAL's PostgreSQL driver with LAUNDER=NO, and our own
/// `CREATE SCHEMA`), so a name with quotes or semicolons is a name, never SQL.

#include <string>
#include <vector>

#include "hotspot/progress.hpp"

namespace hotspot {

/// Where `--out PG:...` sends the layers.
struct PgTarget {
    std::string connection;  ///< the OGR connection string without the schema ("PG:dbname=x host=...")
    std::string schema;      ///< target schema, created when missing ("public" when not given)
};

/// Whether an `--out` value names a PostGIS target (starts with `PG:`).
bool is_pg_target(const std::string& out) noexcept;

/// Splits `PG:dbname=x host=h schema=s` into the connection and the schema. The schema value
/// follows libpq's quoting: `schema='a b'` keeps spaces, `\'` and `\\` escape inside quotes.
/// @throws UsageError when the value does not start with `PG:` or a quoted value is unterminated.
PgTarget parse_pg_target(const std::string& out);

/// The table name a layer gets in the schema: the layer name as written in the GeoPackage.
/// Copies every layer of each of `gpkg_files` (geometry, CRS and every field, in feature
/// order) into `target.schema` in one transaction, replacing tables of the same name.
/// Two files holding a layer of the same name are refused before anything is written, and so,
/// unless `overwrite`, is a table of the schema that a layer would replace (`--overwrite`).
/// `progress` is called before each table (fraction of the tables done, stage "postgis") and
/// every 10,000 rows; returning false rolls the transaction back and throws Cancelled (exit 5).
/// A process killed outright (SIGKILL) mid-copy closes its connection, and the server rolls the
/// open transaction back: the schema's tables stay as they were (tested).
/// @return the names of the tables written, in the order written.
/// @throws OutputError (exit 4) naming the schema and table on any failure; nothing of this
///         call is then left in the database (the transaction is rolled back).
/// @throws Cancelled (exit 5) when `progress` returns false; likewise nothing is left.
std::vector<std::string> copy_layers_to_postgis(const std::vector<std::string>& gpkg_files,
                                                const PgTarget& target, bool overwrite = true,
                                                const Progress& progress = no_progress());

/// A source as outputs and the manifest name it: `PG:` connections with any `password=`
/// value replaced by `***` (a password must not travel in the run's layers or manifest; libpq
/// reads it from ~/.pgpass or PGPASSWORD instead); other sources unchanged.
std::string pg_redacted(const std::string& source);

/// How a row's source is named in the output layers' source_file field: a file's name
/// ("incidents.csv"), or a `PG:` connection with its layer, password redacted.
std::string source_label(const std::string& source);

/// `"name"` with embedded `"` doubled: a PostgreSQL quoted identifier.
std::string pg_quote_identifier(const std::string& name);

} // namespace hotspot

#pragma once
// `--out PG:"dbname=... schema=..."` for every command that writes vector layers (geocode,
// run, rates, gistar, hotspots, change, near-repeat, evaluate): the command writes into a
// private temporary folder, and once it has succeeded every GeoPackage layer written there
// is copied into the PostGIS schema in one transaction (hotspot/postgis_out.hpp). The folder
// is removed whatever happens. Rasters, the report and the manifest stay out of the database.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "hotspot/postgis_out.hpp"

namespace hotspot::cli {

class PgOut {
public:
    /// Rewrites a `--out PG:...` (or `--out=PG:...`) in `args` to a temporary path and
    /// remembers the target; leaves `args` alone when no `--out` names PostGIS.
    explicit PgOut(std::vector<std::string>& args);
    ~PgOut();  ///< removes the temporary folder
    PgOut(const PgOut&) = delete;
    PgOut& operator=(const PgOut&) = delete;
    /// After the command succeeded: copies its layers to the schema. Returns the exit code.
    /// Progress (a bar, or `--progress-json` lines with stage "postgis") and SIGINT/SIGTERM
    /// go through the command's Terminal like any other stage.
    /// @throws OutputError (exit 4) when the copy fails, Cancelled (exit 5) when stopped; in
    ///         both the transaction is rolled back and nothing is changed there.
    int publish(const GlobalOptions& global) const;

private:
    std::optional<PgTarget> m_target;
    std::filesystem::path m_tmp;
    bool m_overwrite = false;  ///< --overwrite was given: existing tables are replaced
};

} // namespace hotspot::cli

#pragma once
/// @file geocode_job.hpp
/// The `geocode` job: read incidents, place each in every area layer, and write one
/// GeoPackage (incidents, rejects, <area>_counts) plus manifest.json. Shared by the CLI,
/// the QGIS plugin (through the CLI) and `hotspot run`.

#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

struct GeocodeJobOptions {
    ReadOptions read;
    std::vector<AreaSpec> areas;
    double snap_m = 0;           ///< snap points outside every area within this distance
    /// Area name -> incident field holding that area's code: those areas are assigned by the
    /// source's own code (e.g. police.uk's "LSOA code") instead of by point in polygon.
    /// Rows whose code is blank or not in the layer end `outside`.
    std::vector<std::pair<std::string, std::string>> by_code;
    std::string out;             ///< output dataset (.gpkg by default)
    std::string manifest_path;   ///< empty: manifest.json beside `out`
    bool overwrite = false;
    unsigned threads = 0;        ///< 0: all cores
    std::string command_line;

    /// @throws UsageError for unusable values (no areas, negative snap, no output).
    void validate() const;
};

/// Per area layer results.
struct AreaLayerSummary {
    std::string name;
    std::size_t areas = 0;
    std::uint64_t assigned = 0, snapped = 0, outside = 0, in_several = 0;
};

struct GeocodeJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0;
    std::uint64_t assigned = 0;  ///< kept rows inside (or snapped to) at least one area
    std::uint64_t outside = 0;   ///< kept rows in no area of any layer
    std::uint64_t exact_duplicates = 0;
    std::vector<std::pair<std::string, std::uint64_t>> rejects_by_reason;
    std::vector<AreaLayerSummary> layers;
    std::vector<std::string> warnings;
    std::vector<std::string> outputs;
    bool police_uk = false;
    std::string crs_operation;
    double crs_accuracy_m = -1;

    /// A one-screen plain-text summary ending with the reconciliation line.
    std::string summary() const;
};

GeocodeJobResult run_geocode_job(const GeocodeJobOptions& options, const Progress& progress = no_progress());

/// Output field name for an area layer ("ward" -> "ward_code"), avoiding the names in `taken`
/// (case-insensitive) by prefixing "hs_".
std::string unique_field_name(const std::string& wanted, const std::vector<std::string>& taken);

} // namespace hotspot

#pragma once
/// @file incidents_io.hpp
/// Reading incidents: CSV files (police.uk street-level files recognised by their header;
/// any other CSV with named coordinate columns) and any OGR vector source (GeoPackage,
/// Shapefile, GeoJSON, FlatGeobuf, PostGIS connection strings). Every row ends kept or
/// rejected with a reason; coordinates are transformed to the working CRS with PROJ.

#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/incidents.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

struct ReadOptions {
    /// Files, folders (every *.csv inside, sorted by name) or glob patterns.
    std::vector<std::string> paths;
    std::string x_field;       ///< easting/longitude column (auto-detected when empty)
    std::string y_field;       ///< northing/latitude column (auto-detected when empty)
    std::string crs;           ///< CRS of x/y ("EPSG:27700", "EPSG:4326"); empty: auto
    std::string working_crs = "EPSG:27700";
    std::string id_field;      ///< when set, a repeated id rejects the later row
    std::string category_field, offence_code_field, date_field, time_field, location_type_field,
        mo_field;              ///< optional role fields (auto-detected by common names)
    char delimiter = 0;        ///< 0: sniff from the header
};

/// Counts and provenance of one read.
struct ReadResult {
    IncidentTable incidents;
    RejectTable rejects;
    std::uint64_t rows_in = 0;        ///< data rows seen (kept + rejected)
    std::uint64_t exact_duplicates = 0; ///< rows identical in every field to an earlier row (kept)
    bool police_uk = false;           ///< the input was recognised as police.uk street-level CSV
    std::string source_crs;           ///< the CRS the coordinates were read in
    std::string crs_operation;        ///< the PROJ operation used to reach the working CRS
    double crs_accuracy_m = -1;       ///< its stated accuracy in metres (-1: unknown)
    std::vector<std::string> warnings;
};

/// Reads every input path. @throws InputError for unreadable or malformed files (naming the
/// file, line and field) and UsageError for unusable options (unknown field names, bad CRS).
ReadResult read_incidents(const ReadOptions& options, const Progress& progress = no_progress());

/// Expands files, folders and glob patterns into a sorted list of files.
/// @throws InputError when a path matches nothing.
std::vector<std::string> expand_input_paths(const std::vector<std::string>& paths);

} // namespace hotspot

#pragma once
/// @file incidents_io.hpp
/// Reading incidents: CSV files (police.uk street-level files recognised by their header;
/// any other CSV with named coordinate columns) and any OGR vector source (GeoPackage,
/// Shapefile, GeoJSON, FlatGeobuf, PostGIS connection strings). Every row ends kept or
/// rejected with a reason; coordinates are transformed to the working CRS with PROJ.

#include <cstdint>
#include <span>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/incidents.hpp"
#include "hotspot/postcode.hpp"
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
    std::string street_field;  ///< street / location text (police.uk: "Location"; else detected)
    char delimiter = 0;        ///< 0: sniff from the header
    /// Threads that parse and check a CSV file's pieces (0: one per core). The tables are the
    /// same, byte for byte, whatever the count.
    unsigned threads = 0;
    /// Reject locational outliers (see OutlierFences) as `location_outlier` before anything is
    /// sized from the incidents' extent. CLI: on unless --keep-outliers.
    bool screen_outliers = true;
    /// The caller sizes a grid or an automatic band from the incidents' own extent (`kde` and
    /// `gistar` without a study area): only then are outliers screened. Where an area layer
    /// bounds the analysis (geocode, rates, run, a study area) a far-away record is simply
    /// outside the areas (and counted so); where nothing is sized from the extent (change,
    /// hours, evaluate, near-repeat) it changes nothing, so it is not screened either.
    bool sizes_grid_from_extent = false;
    /// Place every row at the centroid of the postcode in this column (CSV inputs; the x/y
    /// columns are then not used). Needs `postcode_files`. The rows gain three fields:
    /// location_precision ("postcode_centroid"), postcode_matched (the lookup's postcode, after
    /// normalisation) and postcode_status (live / terminated); see postcode.hpp.
    std::string postcode_field;
    std::vector<std::string> postcode_files;           ///< the lookup (current release)
    std::vector<std::string> postcode_previous_files;  ///< older releases: postcodes only there are terminated
    /// An attribute filter for OGR sources (GeoPackage, PG:...), in OGR SQL's WHERE syntax
    /// ("month >= '2025-01' AND force = 'Leics'"). A PostGIS source runs it on the server
    /// (GDAL's PostgreSQL driver puts it in the query's WHERE), so rows it drops never travel.
    /// Rows left out by it are not read, so not counted as rows in. Refused for CSV inputs.
    std::string where;
    /// The fields whose text the kept incidents keep (IncidentTable::fields), by name; the others
    /// read as empty text (2 bytes a row instead of their text). The location precision field
    /// (FieldRoles::precision, for the postcode warnings) keeps its text always, and every role
    /// field is parsed (coordinates, date, time, category, id) whatever this says. Rows rejected
    /// while reading keep all their text; locational outliers (screen_outliers), moved out of
    /// the kept rows after, keep what the kept rows kept. Unset: every field keeps its text. For
    /// commands that write neither incidents nor rejects and read no field's text but these
    /// (`hotspot kde`: its --weight).
    std::optional<std::vector<std::string>> keep_text;
};

/// Fences for locational outliers: Tukey's "far out" fences (Tukey 1977, Exploratory Data
/// Analysis, ch. 2), applied to easting and northing separately in the working CRS: a point is
/// a candidate when x or y lies more than k = 3 interquartile ranges below the first or above
/// the third quartile. The reader then rejects a candidate only when no chain of incidents,
/// each within 5 km of the next, links it to the points inside the fences: force-wide data
/// around a dominant city puts real towns beyond the fences (2,380 of 71,536 Leicestershire
/// incidents), but they are linked through the villages between; a stray record is not. The interquartile range is floored at 2 km, so coincident snap points or
/// a one-street data set do not turn a neighbourhood a few km away into an outlier (the fences
/// lie at least 6 km beyond the quartiles); screening
/// needs at least 20 points. The aim is the one of ArcGIS's Optimized Hot Spot Analysis,
/// which screens locational outliers before it sizes its grid ("How Optimized Hot Spot
/// Analysis works"): one mistyped record 290 km away must not size a 2.9-million-cell grid.
/// Quartiles are Hyndman and Fan's type 7 (R's default).
struct OutlierFences {
    static constexpr double k = 3.0;
    static constexpr double min_iqr_m = 2000.0;
    static constexpr std::size_t min_points = 20;
    bool applied = false;             ///< false: too few points, nothing screened
    double x_lo = 0, x_hi = 0, y_lo = 0, y_hi = 0;  ///< inclusive fences, metres
    double median_x = 0, median_y = 0;
    bool contains(double x, double y) const noexcept {
        return !applied || (x >= x_lo && x <= x_hi && y >= y_lo && y <= y_hi);
    }
};

/// The fences of the points (x[i], y[i]) in metres.
OutlierFences outlier_fences(std::span<const double> x, std::span<const double> y);

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
    PostcodeCounts postcodes;         ///< filled when ReadOptions::postcode_field is set
};

/// Reads every input path. @throws InputError for unreadable or malformed files (naming the
/// file, line and field), and when rows were read but none was kept; UsageError for unusable options (unknown field names, bad CRS).
ReadResult read_incidents(const ReadOptions& options, const Progress& progress = no_progress());

/// Expands files, folders and glob patterns into a sorted list of files.
/// @throws InputError when a path matches nothing.
std::vector<std::string> expand_input_paths(const std::vector<std::string>& paths);

} // namespace hotspot

#pragma once
// What the tasking report reads from a run folder, as plain values: read_report_input() is the
// only place that opens manifest.json, the GeoPackage and the density rasters. Everything after
// it (report_text, report_findings, report_pages) works on these structs alone, so switching the
// report to a typed run manifest changes this file and report_input.cpp only.

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/geometry.hpp"
#include "hotspot/report.hpp"
#include "report_near_repeat.hpp"

namespace hotspot::report {

/// One feature of a GeoPackage layer: its shape and its non-null fields.
struct Feature {
    MultiPolygon shape;
    std::map<std::string, std::string> text;
    std::map<std::string, double> number;

    std::string str(const std::string& k) const {
        auto it = text.find(k);
        return it == text.end() ? "" : it->second;
    }
    std::optional<double> num(const std::string& k) const {
        auto it = number.find(k);
        if (it == number.end())
            return std::nullopt;
        return it->second;
    }
};

/// One area level's rates layer of a profile (wards first), rows as in the layer.
struct LevelRates {
    std::string level; ///< "ward", "lsoa"
    std::string layer; ///< "<profile>_<level>_rates"
    std::vector<Feature> rows;
};

struct ProfileInput {
    std::string name, title;
    std::string description; ///< plain English (manifest, else the built-in profile's)
    bool proxy = false;
    std::string proxy_note;
    std::vector<std::string> proxy_categories; ///< police.uk categories a proxy selected
    std::vector<std::string> filter;           ///< the filter terms as text
    /// False when the profile has no residents' denominator (`denominator = "none"`, or no
    /// population was given): the report shows counts, not rates.
    bool has_population = true;
    double selected = 0;
    double selected_comparison = NAN; ///< NaN when the run has no comparison period
    std::vector<std::string> warnings;

    bool has_map = false; ///< a density surface was written
    std::string kernel, bandwidth_method, units;
    double bandwidth_m = NAN, cell_size_m = NAN;
    double postcode_share = NAN;  ///< of the map's incidents placed at postcode centroids; NaN: none placed so
    std::vector<double> class_breaks;
    std::string surface_href; ///< the coloured surface as a PNG data: URI
    Bounds surface_world;

    std::string hotspot_layer, hotspot_threshold;
    double hotspot_threshold_value = NAN;
    std::vector<Feature> hotspots; ///< sorted by rank

    bool has_gistar = false;
    double gistar_cell_m = NAN, gistar_band_m = NAN, gistar_hot99 = NAN;
    std::string gistar_weights, gistar_correction;

    bool has_rates = false;
    std::string ci, classes;
    double reference_rate = NAN; ///< per 1,000 residents
    std::vector<LevelRates> rates; ///< one per area level, wards first

    NearRepeatInput near_repeat; ///< present when the profile's outputs list "near_repeat"
    nlohmann::ordered_json steps;  ///< the run's step nodes (report_trend.cpp reads "change", "hours")
};

struct ReportInput {
    std::string version, title, area_name;
    std::string period_from, period_to, comparison_from, comparison_to;
    bool comparing = false, publish = false, police_uk = false;
    int publish_min_count = 0;
    double study_area_km2 = NAN;
    std::string marking, author; ///< options first, else the manifest's run.marking/run.author
    std::vector<std::string> levels; ///< area level names, wards first
    double rows_in = NAN, assigned = NAN, outside = NAN, rejected = NAN;
    std::string rejected_by_reason;
    std::vector<std::string> attribution;
    std::string run_name; ///< the run folder's name
    std::vector<Feature> boundaries; ///< the first level's areas (name, shape)
    Bounds world;                    ///< the boundaries' bounds, with a small margin
    std::vector<ProfileInput> profiles;
};

/// Reads the run folder named in options.run_dir.
/// @throws InputError naming the file when the manifest, GeoPackage or a raster is missing,
///         unreadable or not from `hotspot run`.
ReportInput read_report_input(const ReportOptions& options);

} // namespace hotspot::report

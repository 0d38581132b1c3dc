#pragma once
/// @file steps/hotspots_step.hpp
/// The hot spots step: a density surface already computed (the density step's) and the
/// incidents in memory -> one hot spot polygon layer, each hot spot saying where it is (wards,
/// LSOAs, grid reference of its peak, streets). Both frames call it: `hotspot hotspots`
/// (hotspots_job.hpp) and `hotspot run` (pipeline.cpp). The method is hotspots.hpp's.
///
/// Layer schema (each field name spelled once, in hotspots_step.cpp; in this order):
///   rank       integer  1 = most incidents
///   label      text     the number drawn on the map: the rank for the first max_numbered hot
///                       spots, empty for the rest (outlined only)
///   incidents  integer  incidents of the period in the hot spot (null under the publish
///                       threshold; never, since min incidents is raised to it in publish mode)
///   share      real     incidents / all the profile's incidents (0-1)
///   area_m2    real     m²
///   pai        real     Predictive Accuracy Index: share / (area_m2 / study area)
///   peak       real     the density at the peak, in the surface's units
///   grid_ref   text     British National Grid reference of the peak cell's centre,
///                       8 digits (10 m): "SK 5862 0434"; empty outside the grid
///   peak_x     real     easting of the peak cell's centre (working CRS, m)
///   peak_y     real     northing of the peak cell's centre (working CRS, m)
///   wards      text     the ward layer's areas under the hot spot by share of its cells,
///                       "Castle (82%), Riverside (18%)"
///   lsoas      text     the same for the LSOA layer ("Leicester 041A (60%), ...")
///   streets    text     the commonest street texts of its incidents, up to 3 with counts,
///                       "Granby Street (14), Charles Street (9)"; police.uk "On or near "
///                       removed
///   cut        integer  1 when the hot spot was cut at the maximum area (its catchment above
///                       the threshold is larger)
///   change     integer  incidents minus the comparison period's in the same polygon (null
///                       without a comparison)
/// Geometry: MultiPolygon of the hot spot's cells (cell edges; polygonize_labels).
/// Style: style_qml("hotspots") in the GeoPackage's layer_styles, labelled by `label`.

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/areas_io.hpp"
#include "hotspot/geometry.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/hotspots.hpp"
#include "hotspot/incidents.hpp"

namespace hotspot {

class VectorWriter;

/// Options of the hot spots step. CLI flag / TOML key ([analysis]) / manifest key:
///   --threshold / hotspot_threshold / threshold            (default "area:1")
///   --min-incidents / hotspot_min_incidents / min_incidents (default 5)
///   --max-area / hotspot_max_area_m2 / max_area_m2          (default 250000 m²)
///   --numbered / hotspot_numbered / numbered                (default 10)
///   --saddle-drop / hotspot_saddle_drop / saddle_drop       (default 0.1)
///   --street / (input.street) / street_field                (default: the reader's street role)
struct HotspotsStepOptions {
    HotspotOptions hotspots;
    std::string street_field;  ///< incident field with the street text; empty: roles.street

    /// @throws UsageError (hotspots.hpp's ranges).
    void validate() const;
    /// The manifest node's "options".
    nlohmann::ordered_json to_json() const;
};

/// The hot spots step's manifest node (HotspotsStepResult::manifest; "hotspots" of a run
/// profile) as its readers take it. Missing keys keep the defaults.
struct HotspotsManifestNode {
    std::string layer;              ///< the polygons' layer
    std::string threshold;          ///< the threshold in words
    double threshold_value = NAN;   ///< NaN: none (written as null)
    /// @throws nlohmann::json::exception: a key holds a value of another type.
    static HotspotsManifestNode from_json(const nlohmann::ordered_json& node);
};

struct HotspotsStepInput {
    const IncidentTable* incidents = nullptr;
    const std::vector<std::uint32_t>* rows = nullptr;             ///< the profile's rows; nullptr: all
    const std::vector<std::uint32_t>* comparison_rows = nullptr;  ///< nullptr: no change field
    const Grid* grid = nullptr;                                   ///< the surface's grid
    std::span<const double> surface;                              ///< density, NaN outside the study area
    /// The study area polygons: their area is the one the threshold and the PAI are stated
    /// against. nullptr: the area of the surface's non-NaN cells.
    const std::vector<MultiPolygon>* study = nullptr;
    /// The area of `study` when the caller has it (svg::polygon_area, as the run computes it
    /// once for every profile), square metres; 0: computed here.
    double study_area_m2 = 0;
    const AreaLayer* wards = nullptr;                             ///< optional
    const AreaLayer* lsoas = nullptr;                             ///< optional

    /// Sets `wards` and `lsoas` from the area levels, in order: wards are the level named
    /// "ward", else the first; LSOAs the level named "lsoa", else the first other level (none
    /// with a single level). The one rule of `hotspot hotspots` and `hotspot run`.
    void pick_area_levels(const std::vector<const AreaLayer*>& levels);
};

struct HotspotsStepOutput {
    VectorWriter* writer = nullptr;  ///< the layer is written here (not committed)
    std::string layer = "hotspots";
    std::string title = "Hot spots"; ///< style description ("Burglary hot spots")
    /// Publish mode's disclosure threshold (0: off): min incidents is raised to it.
    int publish_min_count = 0;
};

/// One hot spot as written (for the run summary and the report).
struct HotspotRecord {
    Hotspot spot;
    std::string grid_ref, wards, lsoas, streets;
    std::int64_t change = 0;  ///< 0 without a comparison
};

struct HotspotsStepResult {
    HotspotResult found;
    std::vector<HotspotRecord> records;  ///< rank order
    std::string threshold_text;          ///< "densest 1% of the study area"
    std::string qml;                     ///< the layer's style
    nlohmann::ordered_json manifest;     ///< the step's manifest node
};

/// Street text of an incident field: police.uk's "On or near " removed, spaces trimmed.
std::string street_name(std::string_view location);

/// Finds the hot spots and writes their layer. @throws UsageError (options, no such street
/// field), OutputError.
HotspotsStepResult run_hotspots_step(const HotspotsStepInput& input, const HotspotsStepOptions& options,
                                     const HotspotsStepOutput& output);

} // namespace hotspot

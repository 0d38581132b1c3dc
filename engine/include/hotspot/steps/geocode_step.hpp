#pragma once
/// @file steps/geocode_step.hpp
/// The geocode step: incidents and area layers already in memory -> each incident's area in
/// every layer (point in polygon, optional snap, or the source's own area code), and the layers
/// that show it. Both frames call it: `hotspot geocode` (geocode_job.cpp) and `hotspot run`
/// (pipeline.cpp: placement once per run, the incidents layer once per profile, the rejects
/// layer once).
///
/// Incidents layer schema (names spelled once, in geocode_step.cpp), in this order: every
/// incident field as read (string); per area layer L: L_code, L_name (string, empty outside),
/// and L_status (assigned / snapped / outside) when there are two or more layers; status (the
/// best of the layers' statuses); source_file (the file's name), source_line (integer, 1 = the
/// header). A name that clashes with an incident field (case-insensitive) gets "hs_" in front.
/// Style: styles/incidents.qml.
///
/// Rejects layer schema (one schema in every path): every field of the rejected rows as read;
/// reject_reason (the reason's key, incidents.hpp), reject_detail (the reason in words, with
/// the offending value in brackets), source_file, source_line. No geometry.
///
/// Counts layer (`hotspot geocode` only), one per area layer, `<L>_counts`: code, name,
/// incidents, and n_<category> per incident category in first-seen order. Style: boundaries.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/areas_io.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/incidents.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

class VectorWriter;

/// Options of the geocode step (CLI flag = manifest key, kebab-cased).
struct GeocodeStepOptions {
    double snap_m = 0;  ///< snap points outside every area within this distance, metres
    /// Area name -> incident field holding that area's code: those areas are assigned by the
    /// source's own code instead of by point in polygon; a blank or unknown code is `outside`.
    std::vector<std::pair<std::string, std::string>> by_code;
    unsigned threads = 0;  ///< 0: all cores; never changes the output

    /// @throws UsageError: snap outside 0..10000 m.
    void validate() const;
    nlohmann::ordered_json to_json() const;
};

/// Per area layer counts of the placement.
struct AreaLayerSummary {
    std::string name;
    std::size_t areas = 0;
    std::uint64_t assigned = 0, snapped = 0, outside = 0, in_several = 0;
};

struct GeocodeStepResult {
    std::vector<GeocodeResult> placed;  ///< per area layer, in the order given
    std::vector<AreaLayerSummary> layers;
    std::uint64_t assigned = 0;         ///< incidents in (or snapped to) at least one area
    std::uint64_t outside = 0;          ///< incidents in no area of any layer
    std::vector<std::string> warnings;
    nlohmann::ordered_json manifest;    ///< {"options", "areas": {name: counts}}
};

/// Places every incident in every layer. @throws UsageError (a --by-code field that is missing).
GeocodeStepResult run_geocode_step(const IncidentTable& incidents, const std::vector<const AreaLayer*>& layers,
                                   const GeocodeStepOptions& options, const Progress& progress = no_progress());

/// Writes the incidents layer (schema above) for `rows` (nullptr: every row), then its style.
void write_incidents_layer(VectorWriter& writer, const std::string& layer, const IncidentTable& incidents,
                           const std::vector<std::uint32_t>* rows, const std::vector<const AreaLayer*>& layers,
                           const std::vector<const GeocodeResult*>& placed, const std::string& style_description);
/// The incidents layer's features alone; its style (add_incidents_style) is the caller's.
void write_incidents_features(VectorWriter& writer, const std::string& layer, const IncidentTable& incidents,
                              const std::vector<std::uint32_t>* rows, const std::vector<const AreaLayer*>& layers,
                              const std::vector<const GeocodeResult*>& placed);
/// The incidents layer's style (the "incidents" QML), described as `style_description`.
void add_incidents_style(VectorWriter& writer, const std::string& layer, const std::string& style_description);

/// Writes the rejects layer (schema above).
void write_rejects_layer(VectorWriter& writer, const RejectTable& rejects, const std::string& layer = "rejects");

/// Writes one `<name>_counts` layer per area layer (schema above).
void write_area_counts_layers(VectorWriter& writer, const IncidentTable& incidents,
                              const std::vector<const AreaLayer*>& layers, const GeocodeStepResult& placed);

/// Writes an area layer's boundaries: code, name, population (real; empty where unknown), styled
/// with styles/boundaries.qml (the run's `boundaries_<level>` layers).
void write_boundaries_layer(VectorWriter& writer, const std::string& layer, const AreaLayer& areas,
                            const std::vector<double>& population);

/// Output field name for an area layer ("ward" -> "ward_code"), avoiding the names in `taken`
/// (case-insensitive) by prefixing "hs_".
std::string unique_field_name(const std::string& wanted, const std::vector<std::string>& taken);

} // namespace hotspot

#pragma once
/// @file run_names.hpp
/// The names of everything a `hotspot run` writes, from one function: the GeoPackage layers and
/// the files of each profile, and the run's own files. The run writes under these names and
/// records them in its manifest; the report and the plugin take them from the manifest or from
/// here, never by rebuilding them.

#include <string>
#include <string_view>

namespace hotspot {

/// What a run writes per profile.
enum class RunOutputKind {
    kde,           ///< file  <slug>_kde.tif (+ .qml)
    kde_change,    ///< file  <slug>_kde_change.tif (+ .qml)
    gistar_z,      ///< file  <slug>_gistar_z.tif (+ .qml)
    hotspots,      ///< layer <slug>_hotspots
    gistar_cells,  ///< layer <slug>_gistar_cells
    rates,         ///< layer <slug>_<level>_rates (one per area level)
    incidents,     ///< layer <slug>_incidents
    knox,          ///< layer <slug>_knox (near-repeat Knox table, no geometry)
    risk_windows,  ///< layer <slug>_risk_windows (near-repeat raised-risk windows)
    backtest,      ///< layer <slug>_backtest (table: candidate settings by prospective hit rate)
    change,        ///< layer <slug>_change (study area table) and <slug>_<level>_change (one per area level)
    hotspots_change, ///< layer <slug>_hotspots_change (the numbered hot spots' direction of travel, a table)
    emerging,      ///< layer <slug>_emerging (emerging hot spot cells)
};

/// The key of a kind in the manifest ("kde", "gistar_cells", ...).
std::string_view run_output_key(RunOutputKind kind) noexcept;

/// A profile name as it starts its outputs' names: letters and digits lower-cased, every other
/// character '_' ("car-key-burglary" -> "car_key_burglary").
std::string profile_slug(std::string_view profile_name);

/// The layer or file name of `kind` for a profile; `level` is the area level of a rates layer.
std::string run_output_name(std::string_view profile_name, RunOutputKind kind, std::string_view level = {});

/// The run's own outputs.
inline constexpr const char* run_gpkg_name = "hotspot_run.gpkg";
inline constexpr const char* run_project_name = "hotspot_run.qgs";
inline constexpr const char* run_manifest_name = "manifest.json";
/// The boundaries layer of an area level ("boundaries_ward").
std::string boundaries_layer_name(std::string_view level);

} // namespace hotspot

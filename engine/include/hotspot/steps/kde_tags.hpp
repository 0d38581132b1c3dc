#pragma once
/// @file steps/kde_tags.hpp
/// The density step's GeoTIFF tag keys (steps/kde_step.hpp lists them and their meaning).

namespace hotspot {

/// The density surface's GeoTIFF tag keys (kde_step.hpp's file comment), spelled once: the step writes
/// them (kde_step.cpp) and readers (the QGIS project's layer abstracts) read them by these names; the change surface's
/// significance rule is kde_step.hpp's change_significance_tag.
namespace kde_tag {
inline constexpr const char* hotspot_version = "hotspot_version";
inline constexpr const char* surface = "surface";
inline constexpr const char* profile = "profile";
inline constexpr const char* period = "period";
inline constexpr const char* kernel = "kernel";
inline constexpr const char* bandwidth_m = "bandwidth_m";
inline constexpr const char* bandwidth_method = "bandwidth_method";
inline constexpr const char* support_radius_m = "support_radius_m";
inline constexpr const char* cell_size_m = "cell_size_m";
inline constexpr const char* units = "units";
inline constexpr const char* compat = "compat";
inline constexpr const char* edge_correction = "edge_correction";
inline constexpr const char* weight = "weight";
inline constexpr const char* incidents = "incidents";
inline constexpr const char* distinct_points = "distinct_points";
inline constexpr const char* study_area = "study_area";
inline constexpr const char* heat_min_incidents = "heat_min_incidents";
inline constexpr const char* comparison = "comparison";  ///< the change surface only
inline constexpr const char* publish = "publish";        ///< publish mode only
} // namespace kde_tag

} // namespace hotspot

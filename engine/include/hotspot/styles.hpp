#pragma once
/// @file styles.hpp
/// The QGIS styles (.qml) of styles/, compiled into the engine so an installed binary can
/// style what it writes: GeoPackage layers carry them in their layer_styles table, rasters get a
/// sidecar, and the QGIS project embeds them.

#include <string>
#include <string_view>
#include <vector>

namespace hotspot {

/// The QML of styles/<name>.qml. @throws Error for an unknown name (a bug).
std::string_view style_qml(std::string_view name);

/// Names of every compiled-in style.
std::vector<std::string> style_names();

} // namespace hotspot

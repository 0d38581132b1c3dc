#pragma once
// A diverging QGIS raster style (.qml) symmetric around 0: Gi* z-score classes (z_classes:
// 90/95/99% two-sided cut-offs) or density change (limit = the largest |change|).

#include <string>

namespace hotspot::detail {

std::string diverging_raster_qml(double limit, const std::string& label, bool z_classes);

} // namespace hotspot::detail

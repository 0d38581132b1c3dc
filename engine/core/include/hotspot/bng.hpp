#pragma once
/// @file bng.hpp
/// British National Grid references (Ordnance Survey's letter-pair notation). Pure.

#include <string>

namespace hotspot {

/// The British National Grid reference of an easting/northing (EPSG:27700, metres): two
/// letters and `digits` digits, half for each axis, truncated as Ordnance Survey does
/// ("SK 5862 0434" for E 458620 N 304340 with 8 digits). Ordnance Survey, "A guide to
/// coordinate systems in Great Britain", section on the National Grid reference system.
/// @param digits 0, 2, 4, 6, 8 or 10. @return "" when the point is outside the grid
///        (0 <= E < 700 km, 0 <= N < 1300 km) or not finite.
std::string bng_grid_reference(double easting, double northing, int digits = 8);

} // namespace hotspot

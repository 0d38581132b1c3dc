#pragma once
/// @file change_surface.hpp
/// The density change surface made readable (issue 17): cells whose change is not significant
/// left blank, and classes symmetric around zero in incidents per km², rounded, with units.
///
/// Rule for a cell (stated in the style, the GeoTIFF's tags and the README): n1 and n2 are the
/// incidents of the period and of the comparison period in the cells whose centres lie within
/// the kernel's support radius of the cell's centre; the change is significant when the exact
/// conditional test of two Poisson counts (change.hpp; R's poisson.test(c(n1, n2), c(e1, e2)),
/// exposures e1, e2 = the periods' lengths) gives two-sided p < alpha (0.05, not corrected for
/// the number of cells: a screening map, not a test of each cell). Other cells are set to NaN
/// (no data). Neighbouring cells share incidents, so their tests are not independent.
///
/// Classes: M = the largest |change| among the significant cells; breaks a = M/4 and b = M/2,
/// each rounded to 2 significant figures (heat_classes.hpp round_significant); six classes
/// -inf..-b, -b..-a, -a..0, 0..a, a..b, b..inf, labelled in incidents per km².

#include <span>
#include <string>
#include <vector>

#include "hotspot/grid.hpp"

namespace hotspot {

struct ChangeSurfaceTest {
    double radius_m = 0;      ///< the kernel's support radius
    double e1 = 1, e2 = 1;    ///< the periods' lengths (any unit, e.g. months)
    double alpha = 0.05;
};

/// Sets to NaN every cell of `diff` (row-major on `grid`) whose change is not significant under
/// the rule above; returns the number of cells blanked (finite before, NaN after).
/// @throws UsageError when diff's size is not the grid's or radius_m, e1, e2, alpha are out of range.
std::size_t blank_insignificant_change(std::vector<double>& diff, const Grid& grid, std::span<const double> x1,
                                       std::span<const double> y1, std::span<const double> x2, std::span<const double> y2,
                                       const ChangeSurfaceTest& test);

struct ChangeSurfaceClasses {
    double a = 0, b = 0;               ///< the positive breaks (incidents per km²); classes are symmetric
    std::vector<double> upper;         ///< upper bounds of the six classes: -b, -a, 0, a, b, +inf
    std::vector<std::string> labels;   ///< "fall of over 12 per km²" .. "rise of over 12 per km²"
};

/// The classes of a change surface (NaN cells ignored; all NaN or zero: a = 1, b = 2).
ChangeSurfaceClasses change_surface_classes(std::span<const double> diff);

/// The QGIS raster style (.qml) of those classes; `note` goes in the style's comment (the rule).
std::string change_surface_qml(const ChangeSurfaceClasses& classes, const std::string& title, const std::string& note);

} // namespace hotspot

#pragma once
/// @file heat_classes.hpp
/// The heat map's classes: the one computation that `hotspot kde`, `hotspot run` (both through
/// the density step, steps/kde_step.hpp), the QGIS style, the PNG quick-look and the report's
/// legend share.
///
/// Classes are set by share of the study area, not by quantiles of the non-zero cells: the
/// darkest class is the densest 0.5% of the study area's cells, then 1%, 2%, 5% and 10% (the
/// unit the Predictive Accuracy Index is built on: Chainey, Tompson & Uhlig 2008, "The utility
/// of hotspot mapping for predicting spatial patterns of crime", Security Journal 21). Each
/// class is labelled with the share of the area it covers and the share of the incidents in it,
/// so a reader can see that "the densest 1% of the area held 31% of the burglaries".
///
/// A floor keeps lone incidents off the map: no cell is shaded where fewer than `min_incidents`
/// incidents lie within the kernel's support radius of its centre (those incidents are the only
/// ones that contribute to its density). The floor is the largest density of such a cell,
/// rounded up; every cell at or below it is left unshaded. The surface itself is never altered.
///
/// Breaks are rounded to 2 significant figures (nearest; the floor upwards), and the shares are
/// measured on the rounded breaks, so the legend says what the map shows. A class that covers
/// under 0.1% of the area (an edge pushed up against the floor, or two edges rounded together)
/// is merged into its darker neighbour.

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hotspot/grid.hpp"
#include "hotspot/svg_style.hpp"

namespace hotspot {

struct HeatClassOptions {
    /// Densest shares of the study area, each the lower edge of a class (any order; each in
    /// (0, 1)). Default: 0.5%, 1%, 2%, 5%, 10%.
    std::vector<double> area_shares = {0.005, 0.01, 0.02, 0.05, 0.10};
    /// k: no cell is shaded where fewer than k incidents lie within the support radius. 3 by
    /// default: more than one incident, and more than one repeat pair at one address (a repeat
    /// victim gives 2), so neither a single incident nor a single repeat shows as a blob. In
    /// publish mode callers raise it to the disclosure threshold (publish_min_count, 5).
    int min_incidents = 3;
    std::string units = "per km²";  ///< for labels: "per km²", "per m²", "" (kernel sum)
    std::string period;             ///< for the legend title: "Jul 2025 – Dec 2025"; may be empty
    /// @throws UsageError: a share outside (0, 1), min_incidents < 1.
    void validate() const;
};

struct HeatClass {
    double lower = 0;              ///< exclusive: a cell v is in the class when lower < v <= upper
    double upper = 0;              ///< inclusive; the last class's upper is the surface's maximum
    double area_share = 0;         ///< of the study area's cells in this class (0-1)
    double incident_share = 0;     ///< of the incidents whose cell is in this class (0-1)
    double area_share_above = 0;   ///< this class and every darker one
    double incident_share_above = 0;
    std::string label;             ///< "120 – 240 per km²: densest 1.0% of area, 31% of incidents"
};

struct HeatClasses {
    double floor = 0;              ///< cells with v <= floor are not shaded
    double floor_from_count = 0;   ///< the part of the floor set by min_incidents (unrounded max)
    int min_incidents = 0;         ///< k as applied
    double max = 0;                ///< the surface's maximum
    std::vector<HeatClass> classes;  ///< lightest first; empty when nothing is shaded
    std::string floor_label;       ///< "not shaded: 30 per km² or less (fewer than 3 incidents within 250 m)"
    std::string title;             ///< "Density, incidents per km², Jul – Dec 2025"
    /// Upper bounds, the unshaded class first (floor, then each class's upper): the
    /// `class_breaks` of the manifest, the report's legend and the PNG.
    std::vector<double> breaks() const;
};

/// A study area's cell values as heat_classes_of() takes them: every finite value other than
/// +0.0, in any order, and how many cells hold +0.0, counted, not stored. Most of a density
/// surface is zero: a force's 25 m surface keeps a fifth of its cells' values, the national
/// 25 m surface in tiles its shaded part instead of 1.7 GB.
struct StudyValues {
    std::vector<double> values;  ///< the finite values other than +0.0 (-0.0 is kept as it is)
    std::size_t zeros = 0;       ///< cells holding +0.0
    /// Whether `v` goes into `values` (false: a +0.0, only counted).
    static bool stores(double v) { return !(v == 0.0 && !std::signbit(v)); }
    void add(double v) {
        if (stores(v)) values.push_back(v);
        else ++zeros;
    }
    std::size_t size() const { return values.size() + zeros; }
};

/// The classes of `values` (row-major over `grid`, NaN = outside the study area) for the
/// incidents at (x, y) (same length; may be empty: no incident floor, no incident shares),
/// whose kernel has support radius `radius_m` (the KDE's radius_m). Cells with a finite value
/// are the study area. Deterministic; O(n × rows within the radius + cells).
/// @throws UsageError: bad options, x and y of different lengths, values not grid-sized.
HeatClasses heat_classes(const Grid& grid, std::span<const double> values, std::span<const double> x,
                         std::span<const double> y, double radius_m, const HeatClassOptions& options);

/// The same classes from what the surface gave, gathered by the caller, so a surface written in
/// tiles (the tiled density step, steps/kde_step.hpp) is classed as one: `inside` the study
/// area's values (every finite cell: StudyValues::add), `floor_from_count` the largest of them that
/// fewer than options.min_incidents incidents reach (incidents_within(); 0 when none), and
/// `at_incidents` the value of the cell holding each incident that lies in the grid, of
/// `incidents` in all (the incident shares' denominator; 0: no floor, no incident shares).
/// heat_classes() is this over one grid. @throws UsageError: bad options.
HeatClasses heat_classes_of(StudyValues inside, double floor_from_count, std::span<const double> at_incidents,
                            std::size_t incidents, double radius_m, const HeatClassOptions& options);

/// The floor's part (HeatClasses::floor_from_count) on one grid: the largest finite value of
/// `values` (row-major over `grid`) whose cell fewer than `k` of the incidents (x, y) reach
/// (incidents_within()); 0 when none. The tiled density step takes the largest over its tiles.
double densest_reached_by_fewer(const Grid& grid, std::span<const double> values, std::span<const double> x,
                                std::span<const double> y, double radius_m, int k);

/// For every cell of `grid` (row-major), how many incidents (x[i], y[i]: metres in the grid's
/// CRS; non-finite ones skipped) lie strictly within `radius_m` of the cell's centre, i.e.
/// dx*dx + dy*dy < radius_m*radius_m computed in doubles: the incidents that add to the
/// cell's kernel density. Each incident adds 1 to one run of columns per row its circle meets
/// (the run's ends found from the square root and then settled on that exact test, which is
/// monotone along a row), summed along each row: O(n × rows within the radius + cells).
/// @throws UsageError: x and y of different lengths.
std::vector<std::uint32_t> incidents_within(const Grid& grid, std::span<const double> x, std::span<const double> y,
                                            double radius_m);

/// The colour of class `i` of `h.classes` (0 = lightest) on the heat ramp (svg::heat_ramp()):
/// the darkest colour always marks the densest class. One rule for the QGIS style, the PNG
/// quick-look and the report (svg::heat_class_colour() with the unshaded class counted).
svg::Rgba heat_class_colour(const HeatClasses& h, std::size_t i) noexcept;
/// The colour of surface value `v`: its class's colour, or the transparent first colour when
/// v is not finite, at or below the floor, or nothing is shaded.
svg::Rgba heat_value_colour(const HeatClasses& h, double v) noexcept;

/// `v` rounded to `digits` significant figures: nearest (up = false) or upwards (up = true).
double round_significant(double v, int digits, bool up = false);
/// A rounded break for a legend: 2 significant figures, thousands separators ("1,900", "15",
/// "0.0034").
std::string format_break(double v);

} // namespace hotspot

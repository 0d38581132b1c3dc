#pragma once
/// @file hotspots.hpp
/// Hot spots a patrol can be sent to, from a density surface (pure: no GDAL; the caller
/// polygonizes the label grid for the geometry).
///
/// Method:
///  1. Threshold. By default the densest `value` % of the study area (`area:1`): the density
///     of the k-th densest cell, k = round(value/100 · study area / cell area), so the hot
///     cells together cover that share of the area PAI is measured against (Chainey, Tompson
///     and Uhlig 2008, "The utility of hotspot mapping for predicting spatial patterns of
///     crime", Security Journal 21: PAI and the hit rate at a share of the area). The older
///     rules remain: `top:P` (P % of the non-zero cells), `sd:K`, `value:X`.
///  2. Watershed. Hot cells are taken from the densest down (ties: lower cell index first);
///     each joins the region of its densest already-taken 8-neighbour, or, having none, starts
///     a region at a new peak. So every region is the catchment of one density peak and
///     touching regions meet at the saddle between their peaks (steepest-ascent watershed,
///     Vincent and Soille 1991, IEEE PAMI 13(6), flooding from the maxima of the surface).
///     A peak that stands less than min_saddle_drop of its height above the saddle to a higher
///     peak is merged into that peak's region (a shoulder, not a second hot spot) when the two
///     together fit the maximum area (the "dynamics" criterion of Grimaud 1992 used to prune
///     a watershed's minor basins).
///  3. Maximum area. A region stops growing when it holds max_area_m2 / cell area cells; its
///     later (less dense) cells, and cells that would join through them, are left out. A
///     large plateau therefore gives one compact hot spot around its densest point, not a
///     city-sized polygon.
///  4. Minimum incidents. Incidents are counted by the cell they fall in; regions holding
///     fewer than min_incidents are dropped (their cells become 0).
///  5. Rank by incidents (ties: higher PAI, then the peak's cell index); label = rank; the
///     first max_numbered are the ones numbered on the map.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hotspot/grid.hpp"

namespace hotspot {

/// How the threshold is chosen.
enum class ThresholdMethod {
    area_share,   ///< the densest `value` % of the study area (default 1)
    top_percent,  ///< the value above which lie `value` % of the non-zero cells
    mean_k_sd,    ///< mean + value · sd of the non-zero cells
    fixed,        ///< `value` in the surface's units
};

/// Options of hot spot finding (one name each from TOML key to CLI flag, see
/// steps/hotspots_step.hpp).
struct HotspotOptions {
    ThresholdMethod method = ThresholdMethod::area_share;
    double value = 1;
    /// A region with fewer incidents is not a hot spot (default 5: the disclosure threshold of
    /// publish mode, so no published hot spot rests on fewer; README "Hot spots").
    std::uint64_t min_incidents = 5;
    /// Largest area of one hot spot, m² (default 250,000: a 500 m square, about five minutes'
    /// walk across; README "Hot spots" gives the evidence).
    double max_area_m2 = 250'000;
    /// How many hot spots are numbered on the map (the rest are outlined only).
    int max_numbered = 10;
    /// Least drop from a peak to the saddle joining it to a higher peak, as a share of the
    /// peak's density (0-1), for the peak to be a hot spot of its own; a shallower peak is a
    /// shoulder of the higher one and merged into it while both fit max_area_m2. 0: every peak
    /// stands alone (pure watershed).
    double min_saddle_drop = 0.1;

    /// Parses the threshold: "area:1", "top:5", "top5", "sd:2", "value:12.5" (the other fields
    /// keep their values). @throws UsageError naming the accepted forms.
    static HotspotOptions parse(const std::string& text);
    /// Sets the threshold fields of *this from `text` as parse() does.
    void set_threshold(const std::string& text);
    /// "area:1": parse(threshold_text()) gives the same threshold.
    std::string threshold_text() const;
    /// "densest 1% of the study area".
    std::string describe() const;
    /// @throws UsageError: value out of range (area and top: 0 < v < 100), max area <= 0,
    ///         max_numbered < 0, min_saddle_drop outside 0-1.
    void validate() const;
};

/// Threshold of a surface (NaN cells, outside the study area, are ignored). `study_area_m2`
/// and `cell_area_m2` are used by ThresholdMethod::area_share only. Returns +inf when no cell
/// is positive.
/// @throws UsageError when the method's value is out of range.
double hotspot_threshold(std::span<const double> surface, const HotspotOptions& options,
                         double study_area_m2 = 0, double cell_area_m2 = 0);

/// One hot spot.
struct Hotspot {
    std::int32_t label = 0;      ///< the region's value in the label grid (= rank)
    std::int32_t rank = 0;       ///< 1 = most incidents
    bool numbered = false;       ///< rank <= max_numbered
    bool cut = false;            ///< the region reached the maximum area (its basin is larger)
    std::int64_t cells = 0;
    double area_m2 = 0;
    std::uint64_t incidents = 0; ///< incidents whose cell lies in the hot spot
    double share = 0;            ///< incidents / all incidents given
    double pai = 0;              ///< Predictive Accuracy Index: share / (area / study area)
    double peak = 0;             ///< the highest surface value (the peak cell's)
    std::int64_t peak_cell = 0;  ///< row-major index of the peak cell
    double centre_x = 0, centre_y = 0;  ///< the peak cell's centre, metres
};

struct HotspotResult {
    double threshold = 0;
    std::vector<std::int32_t> labels;  ///< per cell: 0 = not in a hot spot, else its label (= rank)
    std::vector<Hotspot> hotspots;     ///< in rank order
    double study_area_m2 = 0;
    std::uint64_t incidents = 0;       ///< all incidents given
    std::int64_t regions = 0;          ///< regions above the threshold (after merging shoulders, before min incidents)
    std::int64_t dropped_small = 0;    ///< regions dropped for holding fewer than min incidents
    double hot_area_m2 = 0;            ///< area above the threshold (before cutting and dropping)

    /// Totals of the kept hot spots: area (m²) and incidents.
    double total_area_m2() const noexcept;
    std::uint64_t total_incidents() const noexcept;
};

/// Finds the hot spots of `surface` (on `grid`) and counts the incidents (x, y) in them.
/// `study_area_m2` is the area the threshold and the PAI are stated against (the study area
/// polygons' area; 0: the non-NaN cells' area).
/// @throws UsageError (sizes differ, invalid options, max area under one cell).
HotspotResult find_hotspots(const Grid& grid, std::span<const double> surface,
                            std::span<const double> x, std::span<const double> y,
                            double study_area_m2, const HotspotOptions& options);

} // namespace hotspot

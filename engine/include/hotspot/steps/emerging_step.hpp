#pragma once
/// @file steps/emerging_step.hpp
/// The emerging hot spots step: incidents in memory -> counts per calendar month on one aligned
/// grid of the study area (the Gi* step's grid and edge rule, gistar_step.hpp) -> Gi* per month,
/// a Mann–Kendall trend of each cell's z, and each cell's ArcGIS Emerging Hot Spot category and
/// sfhotspot persistence class (emerging.hpp states both sets of definitions exactly, with their
/// sources). One polygon layer of cells through a VectorWriter. Both frames call it:
/// `hotspot emerging` (emerging_job.cpp) and `hotspot run` (run/profile_emerging.cpp).
///
/// Slices: calendar months from `from_month` to `to_month` (inclusive; empty: the first and last
/// month of the rows' dates). Rows with no date, or a date outside those months, are counted
/// apart (`undated`, `outside_months`), never in a slice. Months with no incident are slices too
/// (all cells 0; Gi* is then not defined and nothing is significant that month).
///
/// Band: band_m, else the cell's diagonal rounded up to a metre (sfhotspot's nb_dist default,
/// cell_size · √2: the 3 × 3 neighbours).
///
/// Cells layer schema (field names spelled once, in emerging_step.cpp), in this order:
///   col, row (integer: the cell, row 0 at the top), count (integer, incidents over all slices;
///   empty in publish mode), category (text, "intensifying hot spot", ...), category_code
///   (integer, −8..8 as EmergingClass), persistence (text, "emerging hot spot", ...), hot_slices,
///   cold_slices (integer, months with a significant hot / cold Gi*), trend_z, trend_p (real,
///   Mann–Kendall z and two-sided p of the cell's monthly Gi* z), final_bin (integer, Gi_Bin of
///   the last month).
/// Written: every study cell with a category or a persistence class (all study cells with
/// all_cells). Style: styles/emerging_cells.qml (ArcGIS's colours, categorized on category).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/emerging.hpp"
#include "hotspot/fdr.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/geometry.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/incidents.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

class VectorWriter;
class StudyMasks;

/// Options of the emerging step (CLI flag = manifest key, kebab-cased).
struct EmergingStepOptions {
    double cell_size_m = 0;          ///< grid cell, metres (> 0)
    std::optional<double> band_m;    ///< distance band, metres; empty: cell · √2 rounded up
    double alpha = 0.05;             ///< significance of a month's Gi* (corrected p) and of the trend
    PAdjust correction = PAdjust::fdr_bh;  ///< over the cells of each month
    GiStarTest test = GiStarTest::automatic;
    PersistenceParams persistence;   ///< sfhotspot's hotspot_classify_params() defaults
    std::string from_month, to_month;  ///< "YYYY-MM", inclusive; empty: the data's
    std::size_t min_slices = 12;     ///< fewer months: UsageError (a trend over fewer means little)
    bool all_cells = false;          ///< write every study cell
    unsigned threads = 0;
    std::int64_t max_cells = 50'000'000;
    std::size_t max_slices = 240;    ///< memory guard: slices × cells floats are held

    /// @throws UsageError "emerging: --cell must be > 0 m (got 0)", a band under one cell or over
    ///         200 cells, alpha outside (0, 0.5], a persistence parameter outside (0, 1), a month
    ///         that is not YYYY-MM or from after to, min_slices under 3.
    void validate() const;
    /// The manifest node of the options.
    nlohmann::ordered_json to_json() const;
    /// The band used: band_m, else ceil(cell · √2).
    double band() const;
};

struct EmergingStepInput {
    const IncidentTable* incidents = nullptr;
    const std::vector<std::uint32_t>* rows = nullptr;  ///< nullptr: every row
    const std::vector<MultiPolygon>* study = nullptr;  ///< nullptr: the incidents' extent
    const AreaIndex* study_index = nullptr;
    StudyMasks* masks = nullptr;
};

struct EmergingStepOutput {
    VectorWriter* writer = nullptr;  ///< required
    std::string layer = "emerging_cells";
    std::string profile = "all incidents";
    bool publish = false;            ///< leave the count field empty (disclosure control)
    /// Publish mode's threshold (disclosure.hpp): a cell holding fewer incidents over the months is
    /// not written (its category rests on a count the pack suppresses), and the study area's
    /// monthly series is withheld from the manifest when any month holds fewer (the months sum to
    /// the period's total, as in the change step). 0: no threshold.
    std::uint64_t publish_min_count = 0;
};

struct EmergingStepResult {
    Grid grid;
    std::string from_month, to_month;  ///< the slices
    std::size_t slices = 0;
    std::vector<std::uint64_t> per_slice;  ///< incidents counted per month
    std::uint64_t counted = 0, undated = 0, outside_months = 0, outside_study = 0;
    std::size_t study_cells = 0, written_cells = 0;
    double band_m = 0;
    std::map<int, std::size_t> categories;   ///< study cells per EmergingClass code
    std::map<int, std::size_t> persistence;  ///< study cells per PersistenceClass code
    EmergingResult cells;                    ///< per grid cell
    std::string method;
    std::vector<std::string> warnings;
    nlohmann::ordered_json manifest;         ///< the step's manifest node
};

/// Runs the step: counts per month, Gi* per month, trends, classes, the cells layer.
/// @throws UsageError (options, fewer than min_slices months, absurd grid), InputError (no dated
///         incident), OutputError, Cancelled.
EmergingStepResult run_emerging_step(const EmergingStepInput& input, const EmergingStepOptions& options,
                                     const EmergingStepOutput& output, const Progress& progress = no_progress());

/// The method in words (slices, band, test, correction, the two classifications and sources).
std::string emerging_method(const EmergingStepOptions& options, const EmergingStepResult& result);

} // namespace hotspot

#pragma once
/// @file evaluate.hpp
/// Prospective accuracy of a hot spot forecast: a surface (or hot spot polygons) drawn from one
/// period, scored on the incidents of a later period. Pure core: plain arrays, no GDAL.
///
/// For a selected area a (m²) of a study area A holding N test incidents, n of them in a:
///   hit rate  H   = n / N                                   (Chainey, Tompson & Uhlig 2008)
///   PAI           = (n / N) / (a / A)                       (Chainey, Tompson & Uhlig 2008)
///   PAI*          = (n* / N) / (a / A), n* = the most test incidents any area a of the same
///                   cells could hold: the test incidents' own top cells (the best possible)
///   PEI           = PAI / PAI* = n / n*                     (Hunt 2016)
///   PEI*          = a* / a, a* = the smallest area of the test incidents' own top cells that
///                   holds n incidents: how much smaller the area could have been for the same
///                   hits (Hunt 2016's area form; 1 = no smaller area does as well)
///   RRI           = (n / n_train) / (N / N_train)            (Levine 2008, recapture rate index),
///                   with n_train the training incidents in the same area; NaN without them.
/// Cells are ranked by the surface value, highest first. Area shares need not fall on whole
/// cells, and equal values are not ordered by chance: ties are split in expectation, so a block
/// of tied cells that straddles the cutoff contributes its hits in proportion to the share of
/// the block inside it (the mean over every ordering of the tied cells). A share of s of the
/// study area is s · n_cells cells, a fractional last cell counting its fraction.
/// The area-share curve (Hu et al. 2018's PAI curve) evaluates the same at shares 0..1.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hotspot {

/// Options of an evaluation.
struct EvaluationOptions {
    /// Area shares at which the figures are tabulated (each in (0, 1]).
    std::vector<double> shares = {0.005, 0.01, 0.02, 0.05, 0.10};
    /// Curve points: shares 0, 1/curve_steps, ..., 1.
    int curve_steps = 100;

    /// @throws UsageError "evaluate: share 0 must be in (0, 1]", "curve steps must be 1..100000".
    void validate() const;
};

/// Figures at one area share.
struct ForecastScore {
    double area_share = 0;   ///< a / A
    double cells = 0;        ///< a in cells (fractional at a tie or a partial cell); NaN for polygons
    double hits = 0;         ///< n, expected test incidents in the area (fractional at ties)
    double hit_rate = 0;     ///< n / N
    double pai = 0;          ///< PAI; NaN at share 0 or N = 0
    double pai_max = 0;      ///< PAI* (best possible at this share); NaN for polygons
    double pei = 0;          ///< PEI = n / n*; NaN when n* = 0 or for polygons
    double pei_star = 0;     ///< PEI* = a* / a; NaN at share 0 or for polygons
    double train_hits = 0;   ///< n_train (NaN without training counts)
    double rri = 0;          ///< RRI; NaN without training counts or when n_train = 0
};

struct ForecastEvaluation {
    std::vector<ForecastScore> at_shares;  ///< one per options.shares, same order
    std::vector<ForecastScore> curve;      ///< curve_steps + 1 points from share 0 to 1
    std::size_t cells = 0;                 ///< cells evaluated (finite surface value)
    double test_total = 0;                 ///< N
    double train_total = 0;                ///< N_train (NaN without training counts)
    std::size_t tied_cells = 0;            ///< cells sharing their value with another cell
};

/// Evaluates a surface on a grid. `surface`, `test_counts` and (optional, may be empty)
/// `train_counts` hold one value per cell; cells whose surface value is not finite are outside
/// the study area (their incidents are not counted: the caller reports them).
/// @throws UsageError on size mismatch, negative/non-finite counts, or no evaluable cell.
ForecastEvaluation evaluate_surface(std::span<const double> surface, std::span<const double> test_counts,
                                    std::span<const double> train_counts, const EvaluationOptions& options);

/// n at each share only (the `hits` of evaluate_surface, ties split in expectation alike, equal
/// to the bit for whole counts), for ranking many surfaces on one grid (backtests): one pass
/// gathers the values above a floor taken from a sample of every 64th cell, and only those are
/// selected on (nth_element per share), O(n + k) for k = max(shares) of the cells.
/// Cells whose surface value is not finite are outside (their counts are not hits); `shares`
/// each in (0, 1]. @throws UsageError on size mismatch, a share outside (0, 1], or no
/// evaluable cell.
std::vector<double> hits_at_shares(std::span<const double> surface, std::span<const double> test_counts,
                                   std::span<const double> shares);

/// One cell's test count, for the sparse form below: the cell's index in the surface.
struct TestCell {
    std::size_t index = 0;
    double count = 0;
};

/// A run of consecutive cells [begin, end) of a row-major grid.
struct CellRun {
    std::size_t begin = 0, end = 0;
};

/// The runs of consecutive non-zero flags (a study area's cells, row by row), in order.
std::vector<CellRun> cell_runs(std::span<const std::uint8_t> flags);

/// hits_at_shares with the test counts as a list of the cells that have any (a month's
/// incidents reach a few thousand of a force's million cells): the same figures, without a
/// pass over a dense count grid per surface. `runs` (cell_runs() of the study area; empty:
/// every cell) limits the cells looked at: a cell outside every run counts as outside the
/// study area, as a NaN cell does, so for a surface that is NaN outside the runs the figures
/// are those without them, and a grid whose study area is a fraction of its bounding box is
/// read only there (the backtest scores every candidate surface this way).
/// @throws UsageError as above, an index outside the surface, or runs that are empty, out of
/// order, overlapping or past the surface.
std::vector<double> hits_at_shares(std::span<const double> surface, std::span<const TestCell> test,
                                   std::span<const double> shares, std::span<const CellRun> runs = {});

/// Figures for a fixed area (hot spot polygons): share = area_m2 / study_area_m2, n = hits of
/// N = test_total, n_train of train_total (NaN: no training data). PAI*, PEI and PEI* are NaN
/// (no grid to rank on). @throws UsageError when study_area_m2 <= 0.
ForecastScore evaluate_area(double area_m2, double study_area_m2, double hits, double test_total,
                            double train_hits, double train_total);

} // namespace hotspot

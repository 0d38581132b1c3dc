#pragma once
/// @file knox.hpp
/// The Knox test for space-time interaction over distance bands x time bands, as crime analysts
/// use it for near repeats (Knox 1964; Johnson et al. 2007, "Space-time patterns of risk";
/// Ratcliffe's Near Repeat Calculator, NRC). Pure core: plain arrays in, a table out.
///
/// Method. Every unordered pair of incidents (i, j) falls in one distance band (Euclidean or
/// Manhattan distance, metres) and one time band (|day_i - day_j|, whole days). Observed = pairs
/// per cell. Expected = mean over R Monte Carlo permutations of the days among the incidents
/// (locations fixed). Knox ratio = observed / expected. Pseudo p-value (one-sided, excess):
/// p = (1 + #{permutations with count >= observed}) / (1 + R), the NRC's and the R package
/// NearRepeat's convention (Steenbeek, NearRepeat::NearRepeat). A cell is significant when
/// p <= alpha and observed > expected.
///
/// Bands are half-open [lo, hi): a pair 100 m apart is in 100-200 m, not 0-100 m; a pair 7 days
/// apart is in 7-14 days. The "same location" band is kept apart from the first distance band:
/// by default it holds coincident points only (distance exactly 0: police.uk snap points put many
/// incidents on one point), and the first band holds 0 < d < hi. With same_location_m > 0 it
/// holds [0, same_location_m) and the first band [same_location_m, hi) (the NRC uses 1 m).
/// Beyond the last limits come a "more than" distance band and a "more than" time band, so every
/// pair is in exactly one cell: the cells sum to n (n - 1) / 2.
///
/// Scale. Pairs closer than the last distance limit are found once with a grid of that cell size
/// (incidents sorted by cell, each cell searched against itself and its forward neighbours) and
/// stored as (neighbour, band) in 4 bytes each; a permutation only re-bins those pairs by their
/// permuted day difference. The "more than" row and column come by subtraction from totals that
/// permutations do not change (row totals of the stored pairs; column totals of all pairs from
/// the days sorted, with a sliding window). Memory: 4 bytes per close pair plus ~30 bytes per
/// incident. Permutation r draws from its own stream seeded from (seed, r), and the permutations
/// are summed in index order, so results are identical whatever the thread count.

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "hotspot/progress.hpp"

namespace hotspot {

enum class DistanceMetric { euclidean, manhattan };

/// Band labels: the true half-open limits ("0–100 m", "7–14 days"), or the Near Repeat
/// Calculator's ("1 to 100", "101 to 200", "More than 300"; "0 to 7", "8 to 14", "More than 21"),
/// whose band "a to b" holds [a - 1, b) (Steenbeek, NearRepeat vignette "NRC").
enum class KnoxLabels { true_limits, nrc };

/// The bands. Defaults: 100 m x 3 and 7 days x 3 (see README: the settings of the published NRC
/// comparisons, Steenbeek's NearRepeat vignette and Davies' notebook).
struct KnoxBands {
    std::vector<double> distance_limits_m{100, 200, 300};  ///< upper limits of the near distance bands, increasing, > same_location_m
    std::vector<std::int32_t> day_limits{7, 14, 21};       ///< upper limits of the time bands (days), increasing, > 0
    double same_location_m = 0;  ///< 0: same location = distance exactly 0; > 0: distance < this
    DistanceMetric metric = DistanceMetric::euclidean;

    /// n bands of `bandwidth_m` and m bands of `bandwidth_days` (the Calculator's way to set them).
    static KnoxBands regular(double bandwidth_m, int n, std::int32_t bandwidth_days, int m);
    /// @throws UsageError ("near-repeat: ...") for empty, non-increasing, non-positive or too many
    ///         (over 63 distance) limits.
    void validate() const;
};

struct KnoxOptions {
    KnoxBands bands;
    int permutations = 999;       ///< R, 1..99999
    std::uint64_t seed = 12345;
    unsigned threads = 0;         ///< 0: all cores
    double alpha = 0.05;          ///< significance level of the pseudo p-value
    KnoxLabels labels = KnoxLabels::true_limits;
};

/// The Knox table: rows = distance bands (same location, near bands, more than), columns = time
/// bands (near bands, more than); cells row-major.
struct KnoxResult {
    std::size_t rows = 0, cols = 0;
    std::vector<std::string> row_labels, col_labels;
    std::vector<double> row_lo_m, row_hi_m;       ///< half-open [lo, hi); same location [0, 0] when exact
    std::vector<std::int32_t> col_lo_days, col_hi_days;  ///< half-open; the last hi is INT32_MAX
    std::vector<std::int64_t> observed;
    std::vector<double> expected;                 ///< mean count over the permutations
    std::vector<double> ratio;                    ///< observed / expected (NaN when expected = 0)
    std::vector<std::int64_t> perm_ge;            ///< #{permutations with count >= observed}
    std::vector<double> p;                        ///< (1 + perm_ge) / (1 + R)
    std::vector<std::uint8_t> significant;        ///< p <= alpha and observed > expected
    std::vector<std::int64_t> permuted;           ///< every permutation's table, R x rows x cols (for blocks of cells)
    std::size_t n = 0;                            ///< incidents tested
    std::int64_t total_pairs = 0;                 ///< n (n - 1) / 2
    std::int64_t close_pairs = 0;                 ///< pairs closer than the last distance limit (stored)
    int permutations = 0;
    std::uint64_t seed = 0;
    double alpha = 0.05;

    std::size_t cell(std::size_t row, std::size_t col) const noexcept { return row * cols + col; }
};

/// Runs the Knox test. x, y in metres (working CRS), days = whole days (any origin); all the same
/// length. @throws UsageError for invalid options, spans of different lengths, over 2^26
/// incidents or fewer than 2; Cancelled when `progress` returns false.
KnoxResult knox_test(std::span<const double> x, std::span<const double> y, std::span<const std::int32_t> days,
                     const KnoxOptions& options, const Progress& progress = no_progress());

/// A block of cells taken together (rows row0..row1 x cols col0..col1, inclusive): its observed
/// pairs, mean expected pairs, ratio and pseudo p-value computed on the permutations' block sums.
struct KnoxBlock {
    std::int64_t observed = 0;
    double expected = 0, ratio = 0, p = 1;
};
KnoxBlock knox_block(const KnoxResult& result, std::size_t row0, std::size_t row1, std::size_t col0, std::size_t col1);

/// The raised-risk window the table supports. Rule: start at the first near distance band x the
/// first time band; if that cell is significant, the distance is extended band by band outwards
/// while the cell (band, first time band) stays significant, and the days time band by time band
/// while the cell (first distance band, time band) stays significant. Distance = the upper limit
/// of the last band kept, days = the upper limit of the last time band kept. The "same location"
/// band is not used (a repeat at the very address is not a near repeat), nor the "more than" bands.
struct RaisedRisk {
    bool found = false;
    double distance_m = 0;
    std::int32_t days = 0;
    std::size_t last_row = 0, last_col = 0;  ///< the furthest cells kept
    double ratio = 0;                        ///< Knox ratio of the first cell (first near band x first time band)
    double p = 1;                            ///< its p
};
RaisedRisk raised_risk(const KnoxResult& result);

/// The rule of raised_risk() in words (for manifests and the README).
const char* raised_risk_rule() noexcept;

namespace detail {
/// Permutation `permutation` of the days (input order) that knox_test() draws: a Fisher-Yates
/// shuffle from the stream seeded by (seed, permutation). For tests that recount a permutation.
void knox_shuffle(std::span<const std::uint16_t> days, std::uint64_t seed, std::size_t permutation,
                  std::vector<std::uint16_t>& out);
/// Label of distance band `row` of `bands` (rows: same location, near bands, more than).
std::string knox_row_label(const KnoxBands& bands, std::size_t row, KnoxLabels labels);
/// Label of time band `col` (cols: near bands, more than).
std::string knox_col_label(const KnoxBands& bands, std::size_t col, KnoxLabels labels);
} // namespace detail

} // namespace hotspot

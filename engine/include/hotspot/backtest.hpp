#pragma once
/// @file backtest.hpp
/// Rolling-origin backtests of ways of drawing a hot spot map (pure core: plain arrays, no GDAL).
///
/// Origins: with dated incidents spanning months m0..m1 (month index year·12 + month − 1), an
/// origin t trains on months t − train_months .. t − 1 and is tested on t .. t + test_months − 1;
/// origins run month by month over every t the data allow (m0 + train_months .. m1 −
/// test_months + 1), the latest max_origins kept. History shorter than train_months +
/// test_months gives no origin: the backtest is skipped and says so (skipped_reason).
///
/// Candidates: a kernel density surface (kde.hpp, same kernel, units and edge rule as the map,
/// on the map's grid and study cells) with a fixed bandwidth or an automatic rule (bandwidth.hpp),
/// the Gi* z-score of the training months' counts per cell (gistar.hpp, binary distance band of
/// bandwidth_m over the study cells, spdep's z; cells ranked by z, a cell without a z last), or
/// the naive baseline: the training months' incident counts per cell. A rule's bandwidth is
/// fitted once, on the earliest origin's training months (auto:ppl costs seconds a fit): those
/// months precede every origin's test months, so every score stays out of sample. Each candidate's surface from the training months ranks the cells;
/// the test months' incidents in the top share of the study cells are its hits, ties split in
/// expectation (evaluate.hpp, hits_at_shares).
///
/// Figures per candidate, pooled over origins: hit rate = Σ hits / Σ N (N = test incidents in
/// study cells), PAI = hit rate / share (Chainey, Tompson & Uhlig 2008), at each share.
/// Chosen: the highest pooled hit rate at choose_share; a tie goes to the earlier candidate in
/// the grid's order (callers list the map's current setting first, so a tie keeps it).
/// Same output whatever `threads` (kernel_density is deterministic; origins are summed in order).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/bandwidth.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/kde.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

/// One way of drawing the map.
struct BacktestCandidate {
    enum class Kind { kde, counts, gistar };
    Kind kind = Kind::kde;
    double bandwidth_m = 0;        ///< kde: fixed bandwidth (as KdeOptions::bandwidth_m), 0 with a rule; gistar: band, m
    BandwidthMethod rule = BandwidthMethod::fixed;  ///< kde: an automatic rule instead (per origin)
    std::string name;              ///< "kde 200 m", "kde auto:ppl", "gistar 300 m", "counts" (make_name() when empty)

    /// "kde 200 m", "kde auto:ppl", "gistar 300 m" or "counts".
    std::string make_name() const;
};

struct BacktestOptions {
    int train_months = 12;   ///< months each origin trains on (>= 1)
    int test_months = 3;     ///< months each origin is tested on (>= 1)
    int max_origins = 24;    ///< the latest origins kept (>= 1)
    std::vector<double> shares = {0.005, 0.01, 0.02, 0.05};  ///< each in (0, 1]
    double choose_share = 0.01;  ///< the share whose hit rate chooses (one of shares)
    KdeOptions kde;              ///< kernel, units, edge, threads of the map (bandwidth is the candidate's)

    /// @throws UsageError naming the field ("backtest: train months must be >= 1 (got 0)").
    void validate() const;
    nlohmann::ordered_json to_json() const;

    /// The pack's words for the design, from train_months and test_months:
    /// design() "train 12 months, test the next 3" ("train 1 month, test the next month");
    /// trained_on() "the 12 months before" ("the month before");
    /// tested_on() "the next quarter's" (3 test months), "the next month's" (1), "the next 6
    /// months'" (possessive: "caught 41% of the next quarter's burglaries").
    std::string design() const;
    std::string trained_on() const;
    std::string tested_on() const;
};

/// The incidents (one month index per incident, −1: undated, left out) and the map's grid.
struct BacktestInput {
    std::span<const double> x, y;
    std::span<const int> month;
    Grid grid;
    std::span<const std::uint8_t> window;  ///< grid.size() study-cell flags; empty: every cell
};

struct BacktestOrigin {
    int origin = 0;          ///< first test month (month index)
    double test_total = 0;   ///< N: test incidents in study cells
    double train_total = 0;  ///< training incidents in study cells
};

struct BacktestScore {
    std::string candidate;
    std::vector<double> hits;      ///< Σ over origins, per share
    std::vector<double> hit_rate;  ///< pooled, per share
    std::vector<double> pai;       ///< pooled, per share
    std::vector<double> origin_hit_rate;  ///< per origin, at choose_share
    double mean_bandwidth_m = 0;   ///< kde: the bandwidth used (a rule's as fitted); 0 for counts
};

struct BacktestResult {
    std::vector<BacktestOrigin> origins;
    std::vector<BacktestScore> scores;  ///< one per candidate, in the grid's order
    int chosen = -1;                    ///< index into scores; −1 when skipped
    double test_total = 0;              ///< Σ N over origins
    std::string skipped_reason;         ///< empty when the backtest ran
    std::vector<std::string> warnings;  ///< e.g. a rule that failed on an origin

    nlohmann::ordered_json to_json(const BacktestOptions& options) const;
};

/// The months m0..m1 of the dated incidents, as a count of whole months (0 when none).
int history_months(std::span<const int> month);

/// Runs the backtest. @throws UsageError (options, sizes, no candidate), Cancelled.
BacktestResult run_backtest(const BacktestInput& input, const std::vector<BacktestCandidate>& candidates,
                            const BacktestOptions& options, const Progress& progress = no_progress());

/// The default grid of candidates: `current` first (the map's own setting), then fixed
/// bandwidths 75, 100, 150, 200, 250, 300, 400, 600, 800 m, auto:scott, Gi* z with a 300 m band
/// and the counts baseline; one equal to `current` is not repeated (12 candidates when the
/// map's bandwidth is one of the fixed ones, else 13). auto:ppl is in it only as the map's own setting: its fit
/// costs seconds (on Leicestershire all crime it caught 32% at 1% of the area against 68% for
/// 100 m; bench/RESULTS.md).
std::vector<BacktestCandidate> default_backtest_grid(const BacktestCandidate& current);

/// A run profile's backtest node ("backtest" of RunProfileRecord::steps; run/profile_backtest.cpp):
/// the backtest's result (backtest.hpp BacktestResult::to_json(): options, origins, candidates,
/// warnings, or "skipped") and what the run made of it. Written through to_json(), read (the
/// report's methods box) through from_json(). Missing keys keep the defaults.
struct BacktestManifestNode {
    nlohmann::ordered_json result = nlohmann::ordered_json::object();  ///< BacktestResult::to_json()'s keys, as written
    std::optional<std::uint64_t> history_incidents;  ///< the profile's incidents up to the period's end
    std::string note;            ///< "backtest skipped: ..." ("": not written)
    std::string shown;           ///< the candidate drawing the map ("": not written)
    std::string bandwidth_from;  ///< in words: where the map's bandwidth came from ("": not written)
    /// The map's bandwidth was chosen by the backtest (auto:backtest, asked for or by default);
    /// written with bandwidth_from. Read from documents without it: bandwidth_from starts "backtest".
    bool bandwidth_chosen_by_backtest = false;
    std::string sentence;        ///< the out-of-sample sentence of the run summary ("": not written)

    nlohmann::ordered_json to_json() const;
    /// @throws nlohmann::json::exception: a key holds a value of another type.
    static BacktestManifestNode from_json(const nlohmann::ordered_json& node);
};

} // namespace hotspot

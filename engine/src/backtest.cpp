// Rolling-origin backtests of candidate hot spot maps (backtest.hpp).

#include "hotspot/backtest.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <exception>
#include <thread>

#include "hotspot/error.hpp"
#include "hotspot/evaluate.hpp"
#include "hotspot/geocode.hpp"  // resolve_threads
#include "hotspot/gistar.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/steps/kde_step.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "backtest";
using util::nan;

std::string month_text(int m) {
    char b[16];
    std::snprintf(b, sizeof b, "%04d-%02d", m / 12, m % 12 + 1);
    return b;
}

} // namespace

std::string BacktestCandidate::make_name() const {
    if (kind == Kind::counts) return "counts";
    if (kind == Kind::gistar) return "gistar " + util::num(bandwidth_m, 6) + " m";
    if (rule != BandwidthMethod::fixed) return "kde auto:" + std::string(bandwidth_method_key(rule));
    return "kde " + util::num(bandwidth_m, 6) + " m";
}

void BacktestOptions::validate() const {
    const auto at_least_1 = [](int v, const char* what) {
        if (v < 1) throw UsageError(unit, std::string(what) + " must be >= 1 (got " + std::to_string(v) + ")");
    };
    at_least_1(train_months, "train months");
    at_least_1(test_months, "test months");
    at_least_1(max_origins, "origins");
    if (shares.empty()) throw UsageError(unit, "no area share given");
    bool found = false;
    for (double s : shares) {
        if (!(s > 0 && s <= 1)) throw UsageError(unit, "area share " + std::to_string(s * 100) + "% must be in (0, 100]%");
        found = found || s == choose_share;
    }
    if (!found) throw UsageError(unit, "the choosing share " + std::to_string(choose_share * 100) + "% is not one of the shares");
}

std::string BacktestOptions::design() const {
    return "train " + std::to_string(train_months) + (train_months == 1 ? " month" : " months") + ", test the next " +
           (test_months == 1 ? std::string("month") : std::to_string(test_months));
}

std::string BacktestOptions::trained_on() const {
    return train_months == 1 ? "the month before" : "the " + std::to_string(train_months) + " months before";
}

std::string BacktestOptions::tested_on() const {
    if (test_months == 1) return "the next month's";
    if (test_months == 3) return "the next quarter's";
    return "the next " + std::to_string(test_months) + " months'";
}

nlohmann::ordered_json BacktestOptions::to_json() const {
    return {{"train_months", train_months}, {"test_months", test_months}, {"max_origins", max_origins},
            {"shares", shares}, {"choose_share", choose_share}, {"kernel", std::string(kernel_name(kde.kernel))},
            {"edge_correction", kde.edge == EdgeCorrection::diggle ? "diggle" : "none"},
            {"pooled", "hit rate = sum of hits / sum of test incidents over origins"},
            {"ties", "cells split in expectation; candidates: the earlier in the grid (the map's own setting first)"}};
}

nlohmann::ordered_json BacktestResult::to_json(const BacktestOptions& o) const {
    nlohmann::ordered_json j;
    j["options"] = o.to_json();
    if (!skipped_reason.empty()) {
        j["skipped"] = skipped_reason;
        return j;
    }
    const auto v = [](double x) { return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr); };
    j["origins"] = nlohmann::ordered_json::array();
    for (const auto& g : origins)
        j["origins"].push_back({{"test_from", month_text(g.origin)},
                                {"test_to", month_text(g.origin + o.test_months - 1)},
                                {"train_from", month_text(g.origin - o.train_months)},
                                {"test_incidents", g.test_total},
                                {"train_incidents", g.train_total}});
    j["candidates"] = nlohmann::ordered_json::array();
    for (std::size_t c = 0; c < scores.size(); ++c) {
        const auto& s = scores[c];
        nlohmann::ordered_json at = nlohmann::ordered_json::array();
        for (std::size_t k = 0; k < o.shares.size(); ++k)
            at.push_back({{"area_share", o.shares[k]}, {"hits", v(s.hits[k])}, {"hit_rate", v(s.hit_rate[k])},
                          {"pai", v(s.pai[k])}});
        nlohmann::ordered_json per = nlohmann::ordered_json::array();
        for (double h : s.origin_hit_rate) per.push_back(v(h));
        j["candidates"].push_back({{"candidate", s.candidate}, {"chosen", int(c) == chosen},
                                   {"mean_bandwidth_m", s.mean_bandwidth_m}, {"at_shares", at},
                                   {"origin_hit_rate", per}});
    }
    j["chosen"] = chosen >= 0 ? nlohmann::ordered_json(scores[std::size_t(chosen)].candidate) : nlohmann::ordered_json(nullptr);
    j["test_incidents"] = test_total;
    j["warnings"] = warnings;
    return j;
}

int history_months(std::span<const int> month) {
    int lo = std::numeric_limits<int>::max(), hi = std::numeric_limits<int>::min();
    for (int m : month)
        if (m >= 0) lo = std::min(lo, m), hi = std::max(hi, m);
    return lo > hi ? 0 : hi - lo + 1;
}

std::vector<BacktestCandidate> default_backtest_grid(const BacktestCandidate& current) {
    std::vector<BacktestCandidate> g{current};
    for (double b : {75.0, 100.0, 150.0, 200.0, 250.0, 300.0, 400.0, 600.0, 800.0})
        if (!(current.kind == BacktestCandidate::Kind::kde && current.rule == BandwidthMethod::fixed &&
              current.bandwidth_m == b))
            g.push_back({BacktestCandidate::Kind::kde, b, BandwidthMethod::fixed, {}});
    if (!(current.kind == BacktestCandidate::Kind::kde && current.rule == BandwidthMethod::scott))
        g.push_back({BacktestCandidate::Kind::kde, 0, BandwidthMethod::scott, {}});
    if (!(current.kind == BacktestCandidate::Kind::gistar && current.bandwidth_m == 300))
        g.push_back({BacktestCandidate::Kind::gistar, 300, BandwidthMethod::fixed, {}});
    if (current.kind != BacktestCandidate::Kind::counts) g.push_back({BacktestCandidate::Kind::counts, 0, {}, {}});
    for (auto& c : g)
        if (c.name.empty()) c.name = c.make_name();
    return g;
}

BacktestResult run_backtest(const BacktestInput& in, const std::vector<BacktestCandidate>& candidates,
                            const BacktestOptions& o, const Progress& progress) {
    o.validate();
    if (candidates.empty()) throw UsageError(unit, "no candidate setting to test");
    if (in.x.size() != in.y.size() || in.x.size() != in.month.size())
        throw UsageError(unit, "x, y and month must have one value per incident");
    const std::size_t n_cells = std::size_t(in.grid.size());
    if (!in.window.empty() && in.window.size() != n_cells)
        throw UsageError(unit, "the study-cell flags do not match the grid");
    BacktestResult r;
    int m0 = std::numeric_limits<int>::max(), m1 = std::numeric_limits<int>::min();
    for (int m : in.month)
        if (m >= 0) m0 = std::min(m0, m), m1 = std::max(m1, m);
    const int history = m0 > m1 ? 0 : m1 - m0 + 1;
    if (history < o.train_months + o.test_months) {
        r.skipped_reason = std::to_string(history) + " months of dated incidents; a backtest needs at least " +
                           std::to_string(o.train_months + o.test_months) + " (" + std::to_string(o.train_months) +
                           " to train on and " + std::to_string(o.test_months) + " to test on)";
        return r;
    }
    const int first = std::max(m0 + o.train_months, m1 - o.test_months + 1 - (o.max_origins - 1));
    for (int t = first; t <= m1 - o.test_months + 1; ++t) r.origins.push_back({t, 0, 0});

    // each incident's study cell (or -1)
    const auto in_study = [&](std::int64_t cell) { return in.window.empty() || in.window[std::size_t(cell)]; };
    std::vector<std::int64_t> cell(in.x.size(), -1);
    for (std::size_t i = 0; i < in.x.size(); ++i) {
        const std::int64_t c = in.grid.col_of(in.x[i]), rw = in.grid.row_of(in.y[i]);
        if (!in.grid.in_grid(c, rw)) continue;
        const std::int64_t k = rw * in.grid.cols + c;
        if (in_study(k)) cell[i] = k;
    }
    std::size_t choose_k = 0;
    while (o.shares[choose_k] != o.choose_share) ++choose_k;
    r.scores.resize(candidates.size());
    std::vector<int> bandwidth_uses(candidates.size(), 0);
    std::vector<double> rule_bandwidth(candidates.size(), 0.0);  // a rule's, fitted on the first origin
    for (std::size_t c = 0; c < candidates.size(); ++c) {
        r.scores[c].candidate = candidates[c].name.empty() ? candidates[c].make_name() : candidates[c].name;
        r.scores[c].hits.assign(o.shares.size(), 0.0);
    }
    // Every surface is scored on the whole grid, cells outside the study area NaN (as
    // kernel_density leaves them), so a surface is never copied; the test counts are the list
    // of cells that have any.
    // The study cells as runs along the rows: every surface is NaN outside them, so
    // hits_at_shares reads only these (a force's study area is ~40% of its bounding grid).
    const std::vector<CellRun> study_runs = in.window.empty() ? std::vector<CellRun>{} : cell_runs(in.window);
    if (n_cells == 0 || (!in.window.empty() && study_runs.empty())) throw UsageError(unit, "the grid has no study cell");
    const double outside = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> train_counts(n_cells);
    std::vector<std::int64_t> test_incident_cells;
    std::vector<TestCell> test;
    std::vector<double> tx, ty, px, py, pw;
    std::vector<std::size_t> order;
    // Jobs: one per candidate per origin, on up to `threads` threads, the dearest first (a wide
    // kernel reaches more cells; rules are fitted on the first origin, so they go first there).
    struct Scratch {
        std::vector<double> surface, kde_values;
    };
    const unsigned want = resolve_threads(o.kde.threads);
    std::vector<Scratch> scratch(std::max<std::size_t>(1, std::min<std::size_t>(want, candidates.size())));
    std::vector<std::size_t> job_order(candidates.size());
    std::vector<std::string> job_warning(candidates.size());
    std::vector<std::exception_ptr> failure(candidates.size());
    std::vector<std::vector<std::int32_t>> gistar_neighbours(candidates.size());  // per Gi* candidate, from its first origin
    for (std::size_t g = 0; g < r.origins.size(); ++g) {
        BacktestOrigin& origin = r.origins[g];
        const int t = origin.origin;
        std::fill(train_counts.begin(), train_counts.end(), 0.0);
        test_incident_cells.clear();
        tx.clear(), ty.clear();
        for (std::size_t i = 0; i < in.x.size(); ++i) {
            const int m = in.month[i];
            if (m < 0) continue;
            const std::int64_t k = cell[i];
            if (m >= t && m < t + o.test_months) {
                if (k >= 0) test_incident_cells.push_back(k), origin.test_total += 1;
            } else if (m >= t - o.train_months && m < t) {
                tx.push_back(in.x[i]), ty.push_back(in.y[i]);
                if (k >= 0) train_counts[std::size_t(k)] += 1, origin.train_total += 1;
            }
        }
        std::sort(test_incident_cells.begin(), test_incident_cells.end());
        test.clear();
        for (std::size_t i = 0; i < test_incident_cells.size();) {
            std::size_t j = i;
            while (j < test_incident_cells.size() && test_incident_cells[j] == test_incident_cells[i]) ++j;
            test.push_back({std::size_t(test_incident_cells[i]), double(j - i)});
            i = j;
        }
        r.test_total += origin.test_total;
        // Coincident training incidents merged once per origin (police.uk snap points), as
        // kernel_density would merge them for each candidate: whole counts as weights, summed
        // exactly, so the surface is the same.
        order.resize(tx.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(),
                  [&](std::size_t a, std::size_t b) { return tx[a] < tx[b] || (tx[a] == tx[b] && ty[a] < ty[b]); });
        px.clear(), py.clear(), pw.clear();
        for (std::size_t i : order) {
            if (!px.empty() && px.back() == tx[i] && py.back() == ty[i]) pw.back() += 1;
            else px.push_back(tx[i]), py.push_back(ty[i]), pw.push_back(1);
        }
        const auto cost = [&](std::size_t c) {
            const BacktestCandidate& cand = candidates[c];
            if (cand.kind == BacktestCandidate::Kind::counts) return 0.0;
            if (cand.kind == BacktestCandidate::Kind::gistar) return 1.0;
            const double b = cand.rule == BandwidthMethod::fixed ? cand.bandwidth_m : g > 0 ? rule_bandwidth[c] : 1e9;
            return 2.0 + b;
        };
        for (std::size_t c = 0; c < job_order.size(); ++c) job_order[c] = c;
        std::stable_sort(job_order.begin(), job_order.end(), [&](std::size_t a, std::size_t b) { return cost(a) > cost(b); });
        std::fill(failure.begin(), failure.end(), nullptr);
        // The candidates of an origin are independent jobs, run on the pool's threads, each
        // surface still drawn on every thread: one candidate can cost more than all the others
        // (auto:scott gave a 6.2 km kernel on Leicestershire burglary), and its bands then take
        // the threads the others leave. Each job writes only its own candidate's score and
        // warning, and origins are summed in order, so the figures are the same whatever the
        // thread count.
        const auto score_candidate = [&](std::size_t c, Scratch& w) {
            const BacktestCandidate& cand = candidates[c];
            BacktestScore& score = r.scores[c];
            // the study cells' values in w.surface; the cells outside the study runs are never
            // read (hits_at_shares with study_runs), so they are left as they are (NaN when
            // there is no window: then every cell is a study cell)
            const auto study_surface = [&](auto&& value) -> std::span<const double> {
                w.surface.resize(n_cells, outside);
                if (study_runs.empty())
                    for (std::size_t q = 0; q < n_cells; ++q) w.surface[q] = value(q);
                else
                    for (const CellRun& run : study_runs)
                        for (std::size_t q = run.begin; q < run.end; ++q) w.surface[q] = value(q);
                return w.surface;
            };
            std::span<const double> scored;
            if (cand.kind == BacktestCandidate::Kind::counts) {
                scored = study_surface([&](std::size_t q) { return train_counts[q]; });
            } else if (cand.kind == BacktestCandidate::Kind::gistar) {
                // spdep's z on the study cells (normal test, no correction: only the ranking counts)
                GiStarOptions go;
                go.band_m = cand.bandwidth_m;
                go.p_adjust = PAdjust::none;
                go.test = GiStarTest::normal;
                go.z_only = true;
                go.threads = o.kde.threads;
                go.neighbour_count = gistar_neighbours[c];  // the same grid, study area and band at every origin
                GiStarResult gr = gistar_grid(in.grid, train_counts, go, in.window);
                if (gistar_neighbours[c].empty()) gistar_neighbours[c] = std::move(gr.neighbour_count);
                scored = study_surface([&](std::size_t q) {
                    return std::isfinite(gr.z[q]) ? gr.z[q] : -std::numeric_limits<double>::max();
                });
                score.mean_bandwidth_m += cand.bandwidth_m;
                ++bandwidth_uses[c];
            } else {
                KdeOptions k = o.kde;
                if (cand.rule == BandwidthMethod::fixed) {
                    k.bandwidth_m = cand.bandwidth_m;
                } else if (g > 0) {
                    k.bandwidth_m = rule_bandwidth[c];
                } else {
                    try {
                        const Bandwidth bw = select_bandwidth(cand.rule, tx, ty);
                        const bool takes_sigma = k.kernel == Kernel::gaussian || k.compat == KdeCompat::spatstat;
                        k.bandwidth_m = bw.is_sigma && !takes_sigma ? bw.radius_for(k.kernel) : bw.value_m;
                    } catch (const UsageError& e) {
                        job_warning[c] = "backtest: " + score.candidate + " on the first origin's training months (" +
                                         month_text(t - o.train_months) + " on): " + e.what() + "; it scores no hit";
                        k.bandwidth_m = 0;
                    }
                    rule_bandwidth[c] = k.bandwidth_m;
                }
                if (!(k.bandwidth_m > 0) || px.empty()) {
                    scored = study_surface([](std::size_t) { return 0.0; });
                } else {
                    // kernel_density leaves the cells outside the window NaN
                    w.kde_values = kernel_density(px, py, pw, in.grid, k, in.window, no_progress(), std::move(w.kde_values)).values;
                    scored = w.kde_values;
                }
                if (k.bandwidth_m > 0) {
                    score.mean_bandwidth_m += k.bandwidth_m;
                    ++bandwidth_uses[c];
                }
            }
            const std::vector<double> h = hits_at_shares(scored, test, o.shares, study_runs);
            for (std::size_t s = 0; s < h.size(); ++s) score.hits[s] += h[s];
            score.origin_hit_rate.push_back(origin.test_total > 0 ? h[choose_k] / origin.test_total : nan);
        };
        std::atomic<std::size_t> next{0};
        const auto work = [&](Scratch& w) {
            for (std::size_t j; (j = next.fetch_add(1)) < job_order.size();) {
                const std::size_t c = job_order[j];
                try {
                    score_candidate(c, w);
                } catch (...) {
                    failure[c] = std::current_exception();
                }
            }
        };
        {
            std::vector<std::thread> pool;
            for (std::size_t th = 1; th < scratch.size(); ++th) pool.emplace_back(work, std::ref(scratch[th]));
            work(scratch[0]);
            for (auto& th : pool) th.join();
        }
        for (std::size_t c = 0; c < candidates.size(); ++c) {
            if (failure[c]) std::rethrow_exception(failure[c]);
            if (!job_warning[c].empty()) r.warnings.push_back(std::move(job_warning[c])), job_warning[c].clear();
        }
        if (!progress(double(g + 1) / double(r.origins.size()), unit)) throw Cancelled(unit);
    }
    for (std::size_t c = 0; c < r.scores.size(); ++c) {
        BacktestScore& s = r.scores[c];
        for (std::size_t k = 0; k < o.shares.size(); ++k) {
            s.hit_rate.push_back(r.test_total > 0 ? s.hits[k] / r.test_total : nan);
            s.pai.push_back(r.test_total > 0 ? s.hit_rate.back() / o.shares[k] : nan);
        }
        s.mean_bandwidth_m = bandwidth_uses[c] ? s.mean_bandwidth_m / bandwidth_uses[c] : 0.0;
        if (r.test_total > 0 && (r.chosen < 0 || s.hit_rate[choose_k] > r.scores[std::size_t(r.chosen)].hit_rate[choose_k]))
            r.chosen = int(c);
    }
    if (r.chosen < 0) r.skipped_reason = "no test incident falls in the study area in any origin";
    return r;
}

nlohmann::ordered_json BacktestManifestNode::to_json() const {
    nlohmann::ordered_json j = result.is_object() ? result : nlohmann::ordered_json::object();
    if (history_incidents) j["history_incidents"] = *history_incidents;
    if (!note.empty()) j["note"] = note;
    if (!shown.empty()) j["shown"] = shown;
    if (!bandwidth_from.empty()) {
        j["bandwidth_from"] = bandwidth_from;
        j["bandwidth_chosen_by_backtest"] = bandwidth_chosen_by_backtest;
    }
    if (!sentence.empty()) j["sentence"] = sentence;
    return j;
}

BacktestManifestNode BacktestManifestNode::from_json(const nlohmann::ordered_json& node) {
    BacktestManifestNode n;
    if (node.is_object())
        for (auto it = node.begin(); it != node.end(); ++it)
            if (it.key() != "history_incidents" && it.key() != "note" && it.key() != "shown" && it.key() != "bandwidth_from" &&
                it.key() != "bandwidth_chosen_by_backtest" && it.key() != "sentence")
                n.result[it.key()] = it.value();
    if (node.is_object() && node.contains("history_incidents")) n.history_incidents = node["history_incidents"].get<std::uint64_t>();
    n.note = json_value_or(node, "note", std::string());
    n.shown = json_value_or(node, "shown", std::string());
    n.bandwidth_from = json_value_or(node, "bandwidth_from", std::string());
    // Documents written before the flag (schema 2 as first released) say it in words only.
    n.bandwidth_chosen_by_backtest =
        json_value_or(node, "bandwidth_chosen_by_backtest", n.bandwidth_from.rfind("backtest", 0) == 0);
    n.sentence = json_value_or(node, "sentence", std::string());
    return n;
}

} // namespace hotspot

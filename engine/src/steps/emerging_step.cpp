// The emerging hot spots step (steps/emerging_step.hpp): the one place that slices incidents
// into months on the study grid, runs emerging_hot_spots() and writes the cells layer.

#include "hotspot/steps/emerging_step.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/steps/change_step.hpp"
#include "hotspot/steps/kde_step.hpp"
#include "hotspot/steps/layer_schema.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/version.hpp"
#include "steps/step_rows.hpp"
#include "steps/study_grid.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "emerging";

using util::num;

// The cells layer: every field name of it, once.
LayerSchema cells_schema() {
    return {{{"col", FieldType::integer}, {"row", FieldType::integer}, {"count", FieldType::integer},
             {"category", FieldType::string}, {"category_code", FieldType::integer}, {"persistence", FieldType::string},
             {"hot_slices", FieldType::integer}, {"cold_slices", FieldType::integer}, {"trend_z", FieldType::real},
             {"trend_p", FieldType::real}, {"final_bin", FieldType::integer}}};
}

std::string correction_name(PAdjust c) {
    return c == PAdjust::fdr_bh ? "fdr" : c == PAdjust::bonferroni ? "bonferroni" : "none";
}

} // namespace

double EmergingStepOptions::band() const {
    return band_m ? *band_m : std::ceil(cell_size_m * std::sqrt(2.0) - 1e-9);
}

void EmergingStepOptions::validate() const {
    if (!(cell_size_m > 0) || !std::isfinite(cell_size_m))
        throw UsageError(unit, "--cell must be > 0 m (got " + num(cell_size_m) + ")");
    if (band_m) {
        const double b = *band_m;
        if (!(b >= cell_size_m) || !std::isfinite(b))
            throw UsageError(unit, "--band must be at least one cell (" + num(cell_size_m) + " m; got " + num(b) +
                                       "); leave it out for the 3 x 3 neighbours");
        if (b > 200 * cell_size_m) throw UsageError(unit, "--band " + num(b) + " m is over 200 cells wide; use a larger --cell");
    }
    if (!(alpha > 0 && alpha <= 0.5)) throw UsageError(unit, "--alpha must be in (0, 0.5] (got " + num(alpha) + ")");
    persistence.validate();
    if (!from_month.empty()) parse_month(from_month, "--from-month");
    if (!to_month.empty()) parse_month(to_month, "--to-month");
    if (!from_month.empty() && !to_month.empty() && parse_month(from_month, "--from-month") > parse_month(to_month, "--to-month"))
        throw UsageError(unit, "--from-month " + from_month + " is after --to-month " + to_month);
    if (min_slices < 3) throw UsageError(unit, "min_slices must be at least 3 (got " + std::to_string(min_slices) + ")");
}

nlohmann::ordered_json EmergingStepOptions::to_json() const {
    return {{"cell_size_m", cell_size_m},
            {"band_m", band_m ? nlohmann::ordered_json(*band_m) : nlohmann::ordered_json(nullptr)},
            {"slice", "month"},
            {"from_month", from_month},
            {"to_month", to_month},
            {"alpha", alpha},
            {"correction", correction_name(correction)},
            {"gistar_test", std::string(to_string(test))},
            {"hotspot_prop", persistence.hotspot_prop},
            {"persistent_prop", persistence.persistent_prop},
            {"recent_prop", persistence.recent_prop},
            {"min_slices", min_slices},
            {"all_cells", all_cells}};
}

std::string emerging_method(const EmergingStepOptions& o, const EmergingStepResult& r) {
    std::ostringstream m;
    m << "Emerging hot spots: incidents counted per calendar month (" << r.slices << " months, " << r.from_month << " to "
      << r.to_month << ") in " << num(r.grid.cell_size_m) << " m aligned cells of the study area; Getis-Ord Gi* per month "
      << "(binary band " << num(r.band_m) << " m, self included; p "
      << (o.test == GiStarTest::normal ? "normal" : o.test == GiStarTest::exact ? "exact binomial" : "normal, or exact binomial when the month's mean count per cell is under 1")
      << "; " << correction_name(o.correction) << " over the month's cells; significant at " << num(o.alpha)
      << "); Mann-Kendall trend of each cell's monthly z (p < " << num(o.alpha)
      << "); categories of ArcGIS Pro Emerging Hot Spot Analysis (90% of months), persistence classes of sfhotspot "
         "hotspot_classify (hotspot_prop "
      << num(o.persistence.hotspot_prop) << ", persistent_prop " << num(o.persistence.persistent_prop) << ", recent_prop "
      << num(o.persistence.recent_prop) << "); each month's Gi* uses that month only (no time neighbourhood)";
    return m.str();
}

EmergingStepResult run_emerging_step(const EmergingStepInput& in, const EmergingStepOptions& o, const EmergingStepOutput& out,
                                     const Progress& progress) {
    o.validate();
    const detail::StepRows step_rows(in.incidents, in.rows, unit, out.writer);
    const IncidentTable& inc = step_rows.inc;
    const std::vector<std::uint32_t>& rows = step_rows.rows;
    EmergingStepResult r;

    // ---- the months
    MonthIndex lo = std::numeric_limits<MonthIndex>::max(), hi = std::numeric_limits<MonthIndex>::min();
    for (auto i : rows)
        if (inc.date_days[i] != no_date) {
            const MonthIndex m = month_of_days(inc.date_days[i]);
            lo = std::min(lo, m), hi = std::max(hi, m);
        }
    if (!o.from_month.empty()) lo = parse_month(o.from_month, "--from-month");
    if (!o.to_month.empty()) hi = parse_month(o.to_month, "--to-month");
    if (lo == std::numeric_limits<MonthIndex>::max() || hi == std::numeric_limits<MonthIndex>::min())
        throw InputError(unit, inc.source_files.empty() ? "" : inc.source_files.front(),
                         "no incident has a date; emerging hot spots need one (check --date)");
    const auto n = std::size_t(std::max<MonthIndex>(0, hi - lo + 1));
    if (n < o.min_slices)
        throw UsageError(unit, "the incidents span " + std::to_string(n) + " months (" + format_month(lo) + " to " +
                                   format_month(hi) + "); emerging hot spots need at least " + std::to_string(o.min_slices) +
                                   " monthly slices");
    if (n > o.max_slices)
        throw UsageError(unit, std::to_string(n) + " months is more than " + std::to_string(o.max_slices) +
                                   " slices; give --from-month/--to-month");
    r.slices = n, r.from_month = format_month(lo), r.to_month = format_month(hi);

    // ---- the grid, study cells and counts per month (the Gi* step's edge rule)
    detail::StudyGrid sg(inc, rows, in.study, in.study_index, in.masks, o.cell_size_m, o.max_cells, unit);  // the edge rule
    const Grid& grid = r.grid = sg.grid;
    const auto ncell = std::size_t(grid.size());
    std::vector<std::vector<double>> counts(n, std::vector<double>(ncell, 0.0));
    std::vector<double> total(ncell, 0.0);
    r.per_slice.assign(n, 0);
    for (auto i : rows) {
        if (inc.date_days[i] == no_date) {
            ++r.undated;
            continue;
        }
        const MonthIndex m = month_of_days(inc.date_days[i]);
        if (m < lo || m > hi) {
            ++r.outside_months;
            continue;
        }
        const std::int64_t cell = sg.place(inc.x[i], inc.y[i]);
        if (cell < 0) {
            ++r.outside_study;
            continue;
        }
        const auto k = std::size_t(cell);
        counts[std::size_t(m - lo)][k] += 1;
        total[k] += 1;
        ++r.per_slice[std::size_t(m - lo)];
        ++r.counted;
    }
    const std::vector<std::uint8_t>& mask = sg.mask;
    for (std::size_t k = 0; k < ncell; ++k) r.study_cells += sg.in_study(k);
    if (r.counted == 0) throw InputError(unit, inc.source_files.empty() ? "" : inc.source_files.front(), "no dated incident lies in the study area");

    // ---- the analysis
    EmergingOptions eo;
    eo.gistar.band_m = r.band_m = o.band();
    eo.gistar.p_adjust = o.correction;
    eo.gistar.test = o.test;
    eo.gistar.threads = o.threads;
    eo.alpha = o.alpha;
    eo.persistence = o.persistence;
    r.cells = emerging_hot_spots(grid, counts, eo, mask, progress);
    counts.clear();
    counts.shrink_to_fit();
    for (std::size_t t = 0; t < n; ++t)
        if (r.per_slice[t] == 0)
            r.warnings.push_back("emerging: " + format_month(lo + MonthIndex(t)) +
                                 " has no incident in the study area; that month has no significant cell");
    if (r.undated) r.warnings.push_back("emerging: " + std::to_string(r.undated) + " incidents have no date and are in no month");
    r.method = emerging_method(o, r);

    // ---- the layer
    const LayerSchema s = cells_schema();
    VectorWriter& w = *out.writer;
    w.begin_layer(out.layer, GeomType::multipolygon, s.fields, r.method);
    const int f_col = s.at("col"), f_row = s.at("row"), f_count = s.at("count"), f_cat = s.at("category"),
              f_code = s.at("category_code"), f_per = s.at("persistence"), f_hot = s.at("hot_slices"),
              f_cold = s.at("cold_slices"), f_tz = s.at("trend_z"), f_tp = s.at("trend_p"), f_bin = s.at("final_bin");
    const double c = grid.cell_size_m;
    const EmergingResult& e = r.cells;
    std::size_t withheld = 0;  // publish mode: cells under the threshold not written
    for (std::int64_t row = 0; row < grid.rows; ++row)
        for (std::int64_t col = 0; col < grid.cols; ++col) {
            const auto k = std::size_t(row * grid.cols + col);
            if (!mask.empty() && !mask[k]) continue;
            ++r.categories[int(e.category[k])];
            ++r.persistence[int(e.persistence[k])];
            if (!o.all_cells && e.category[k] == EmergingClass::no_pattern && e.persistence[k] == PersistenceClass::none) continue;
            if (out.publish && total[k] < double(out.publish_min_count)) {
                ++withheld;
                continue;
            }
            w.set_integer(f_col, col);
            w.set_integer(f_row, row);
            if (!out.publish) w.set_integer(f_count, std::int64_t(total[k]));
            w.set_string(f_cat, to_string(e.category[k]));
            w.set_integer(f_code, int(e.category[k]));
            w.set_string(f_per, to_string(e.persistence[k]));
            w.set_integer(f_hot, e.hot_slices[k]);
            w.set_integer(f_cold, e.cold_slices[k]);
            if (std::isfinite(e.trend_z[k])) w.set_real(f_tz, e.trend_z[k]);
            if (std::isfinite(e.trend_p[k])) w.set_real(f_tp, e.trend_p[k]);
            w.set_integer(f_bin, e.final_bin.empty() ? 0 : e.final_bin[k]);
            const double x0 = grid.origin_x + double(col) * c, y1 = grid.origin_y - double(row) * c;
            w.set_multipolygon({Polygon{{Ring{{x0, y1 - c}, {x0 + c, y1 - c}, {x0 + c, y1}, {x0, y1}}}}});
            w.write_feature();
            ++r.written_cells;
        }
    w.add_style(out.layer, std::string(style_qml("emerging_cells")),
                "Emerging hot spots (ArcGIS categories and colours); written by hotspot " + std::string(hotspot::version));

    // ---- manifest
    nlohmann::ordered_json cats, pers, months = nlohmann::ordered_json::array();
    for (auto [k, v] : r.categories) cats[std::string(to_string(EmergingClass(k)))] = v;
    for (auto [k, v] : r.persistence) pers[std::string(to_string(PersistenceClass(k)))] = v;
    for (std::size_t t = 0; t < n; ++t) months.push_back({{"month", format_month(lo + MonthIndex(t))}, {"incidents", r.per_slice[t]}});
    r.manifest = {{"layer", out.layer},
                  {"options", o.to_json()},
                  {"slices", {{"from", r.from_month}, {"to", r.to_month}, {"n", n}}},
                  {"band_m", r.band_m},
                  {"band_method", o.band_m ? "given" : "cell * sqrt(2) rounded up (the 3 x 3 neighbours; sfhotspot's nb_dist default)"},
                  {"grid", {{"origin_x", grid.origin_x}, {"origin_y", grid.origin_y}, {"cell_size_m", grid.cell_size_m},
                            {"cols", grid.cols}, {"rows", grid.rows}, {"study_cells", r.study_cells}}},
                  {"counted", r.counted},
                  {"undated", r.undated},
                  {"outside_months", r.outside_months},
                  {"outside_study", r.outside_study},
                  {"written_cells", r.written_cells},
                  {"categories", cats},
                  {"persistence", pers},
                  {"method", r.method},
                  {"definitions", "ArcGIS Pro, 'How Emerging Hot Spot Analysis works' (pro.arcgis.com); sfhotspot "
                                  "R/hotspot_classify.R; exact rules in hotspot's emerging.hpp and README"},
                  {"warnings", r.warnings}};
    bool small_month = false;
    for (std::size_t t = 0; t < n; ++t) small_month |= double(r.per_slice[t]) < double(out.publish_min_count);
    if (!out.publish || !small_month) r.manifest["months"] = months;  // study-area totals per month
    if (out.publish)
        r.manifest["publish"] = {{"rule", "cell counts withheld; cells holding fewer than the threshold's incidents over the "
                                          "months not written; the monthly series withheld when any month holds fewer"},
                                 {"min_incidents", out.publish_min_count},
                                 {"cells_withheld", withheld},
                                 {"months_withheld", small_month}};
    return r;
}

} // namespace hotspot

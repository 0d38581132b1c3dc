// The evaluate step (steps/evaluate_step.hpp): figures from evaluate.hpp, the tables' schema
// (spelled once, here) and their writing.

#include "hotspot/steps/evaluate_step.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/vector_out.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "evaluate";
using util::nan;

// The fields in schema order, with the value each takes from a score.
struct Field {
    const char* name;
    double (*get)(const ForecastScore&);
};
const Field fields[] = {
    {"area_share_pct", [](const ForecastScore& r) { return r.area_share * 100; }},
    {"cells", [](const ForecastScore& r) { return r.cells; }},
    {"hits", [](const ForecastScore& r) { return r.hits; }},
    {"hit_rate", [](const ForecastScore& r) { return r.hit_rate; }},
    {"pai", [](const ForecastScore& r) { return r.pai; }},
    {"pai_max", [](const ForecastScore& r) { return r.pai_max; }},
    {"pei", [](const ForecastScore& r) { return r.pei; }},
    {"pei_star", [](const ForecastScore& r) { return r.pei_star; }},
    {"train_hits", [](const ForecastScore& r) { return r.train_hits; }},
    {"rri", [](const ForecastScore& r) { return r.rri; }},
};

void write_table(VectorWriter& w, const std::string& name, const std::vector<ForecastScore>& rows) {
    const LayerSchema& schema = evaluation_schema();
    w.begin_layer(name, GeomType::none, schema.fields, evaluation_method_text());
    for (const auto& r : rows) {
        for (const auto& f : fields) w.set_real(schema.at(f.name), f.get(r));
        w.write_feature();
    }
}

} // namespace

const LayerSchema& evaluation_schema() {
    static const LayerSchema schema = [] {
        LayerSchema s;
        for (const auto& f : fields) s.fields.push_back({f.name, FieldType::real});
        return s;
    }();
    return schema;
}

const char* evaluation_method_text() {
    return "hit rate = n/N; PAI = (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008); PAI* = the best PAI at the same "
           "area, the test incidents' own top cells; PEI = PAI/PAI* = n/n* (Hunt 2016); PEI* = a*/a, a* the "
           "smallest area of the test incidents' own top cells holding n; RRI = (n/n_train)/(N/N_train) (Levine "
           "2008). Cells ranked by surface value, highest first; tied cells are split in expectation (a tied block "
           "straddling the cutoff contributes in proportion to its share inside it); curve: Hu et al. 2018's PAI "
           "curve.";
}

std::string evaluation_csv(const std::vector<ForecastScore>& rows) {
    std::ostringstream s;
    for (std::size_t k = 0; k < std::size(fields); ++k) s << (k ? "," : "") << fields[k].name;
    s << '\n';
    for (const auto& r : rows) {
        for (std::size_t k = 0; k < std::size(fields); ++k) {
            const double v = fields[k].get(r);
            s << (k ? "," : "") << (std::isfinite(v) ? util::num(v, 10) : std::string());
        }
        s << '\n';
    }
    return s.str();
}

nlohmann::ordered_json score_json(const ForecastScore& r) {
    const auto j = [](double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr); };
    return {{"area_share", r.area_share}, {"cells", j(r.cells)}, {"hits", j(r.hits)}, {"hit_rate", j(r.hit_rate)},
            {"pai", j(r.pai)},  {"pai_max", j(r.pai_max)}, {"pei", j(r.pei)}, {"pei_star", j(r.pei_star)},
            {"train_hits", j(r.train_hits)}, {"rri", j(r.rri)}};
}

void write_evaluation_tables(const EvaluateStepOutput& out, const ForecastEvaluation& e) {
    if (!out.writer) return;
    write_table(*out.writer, out.layer, e.at_shares);
    if (!e.curve.empty()) write_table(*out.writer, out.curve_layer, e.curve);
}

void EvaluateStepOptions::validate() const { evaluation.validate(); }

nlohmann::ordered_json EvaluateStepOptions::to_json() const {
    return {{"shares", evaluation.shares}, {"curve_steps", evaluation.curve_steps}, {"ties", "split in expectation"}};
}

EvaluateStepResult run_evaluate_step(const EvaluateStepInput& in, const EvaluateStepOptions& o,
                                     const EvaluateStepOutput& out) {
    o.validate();
    if (in.surface.has_value() == in.area.has_value())
        throw UsageError(unit, "give the forecast as a surface or as hot spot polygons (one of them)");
    EvaluateStepResult r;
    double cell_size_m = nan;
    if (in.surface) {
        const EvaluateSurfaceInput& s = *in.surface;
        if (!s.values || !s.test_counts) throw UsageError(unit, "the surface step needs values and test counts");
        if (!(s.cell_size_m > 0)) throw UsageError(unit, "the surface's cell size must be > 0 m");
        r.forecast_kind = "surface";
        static const std::vector<double> none;
        r.evaluation = evaluate_surface(*s.values, *s.test_counts, s.train_counts ? *s.train_counts : none, o.evaluation);
        cell_size_m = s.cell_size_m;
        r.study_area_m2 = double(r.evaluation.cells) * s.cell_size_m * s.cell_size_m;
        if (r.evaluation.tied_cells * 2 > r.evaluation.cells)
            r.warnings.push_back("evaluate: " + std::to_string(r.evaluation.tied_cells) + " of " +
                                 std::to_string(r.evaluation.cells) +
                                 " cells share their value with others (e.g. empty cells of a count surface); "
                                 "ties are split in expectation");
    } else {
        const EvaluateAreaInput& a = *in.area;
        if (a.train_hits.has_value() != a.train_total.has_value())
            throw UsageError(unit, "training hits and training total go together (RRI)");
        r.forecast_kind = "polygons";
        r.study_area_m2 = a.study_area_m2;
        const ForecastScore sc = evaluate_area(a.area_m2, a.study_area_m2, a.hits, a.test_total,
                                               a.train_hits.value_or(nan), a.train_total.value_or(nan));
        r.evaluation.at_shares.push_back(sc);
        r.evaluation.test_total = a.test_total;
        r.evaluation.train_total = a.train_total.value_or(nan);
        r.warnings.push_back("evaluate: " + std::to_string(a.features) +
                             " hot spot polygons cover a fixed area: one row at their own share; no curve, and no "
                             "PAI*/PEI/PEI* (they need ranked cells)");
    }
    write_evaluation_tables(out, r.evaluation);
    nlohmann::ordered_json figures = nlohmann::ordered_json::array();
    for (const auto& s : r.evaluation.at_shares) figures.push_back(score_json(s));
    r.manifest = {{"forecast", r.forecast_kind},
                  {"study_area_m2", r.study_area_m2},
                  {"cell_size_m", std::isfinite(cell_size_m) ? nlohmann::ordered_json(cell_size_m) : nlohmann::ordered_json(0.0)},
                  {"at_shares", figures}};
    return r;
}

} // namespace hotspot

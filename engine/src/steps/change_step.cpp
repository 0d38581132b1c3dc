// The change step (steps/change_step.hpp): the one implementation of the direction of travel,
// its layers, series and manifest node, for `hotspot change` and `hotspot run`.

#include "hotspot/steps/change_step.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/profile.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/version.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "change";
using util::nan;

using util::num;
using util::thousands;


const char* month_name(int m) {
    static const char* names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return names[m];
}

std::string month_words(MonthIndex m) { return std::string(month_name(m % 12)) + " " + std::to_string(m / 12); }

std::string range_words(MonthIndex a, MonthIndex b) { return a == b ? month_words(a) : month_words(a) + " to " + month_words(b); }

// RFC 4180: quote a field holding a comma, quote or line break.
std::string csv_escape(const std::string& v) {
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

void fill_change(AreaChange& a, MonthIndex series_from, const ChangeResult& r, const ChangeOptions& o,
                 const std::vector<bool>& absent) {
    for (std::size_t m = 0; m < a.monthly.size(); ++m)
        if (absent[m]) a.monthly[m] = nan;
    const auto sum = [&](MonthIndex from, MonthIndex to) {
        double s = 0;
        for (MonthIndex m = from; m <= to; ++m) {
            const double v = a.monthly[std::size_t(m - series_from)];
            if (!std::isnan(v)) s += v;
        }
        return std::int64_t(s);
    };
    a.period = sum(r.period_from, r.period_to);
    a.comparison = sum(r.compare_from, r.compare_to);
    const double e1 = double(r.period_to - r.period_from + 1), e2 = double(r.compare_to - r.compare_from + 1);
    a.test = poisson_change_test(a.period, a.comparison, e1, e2);
    a.change = change_class(a.test, o.levels);
    if (a.population > 0) {  // else no rate: NaN stays
        a.rate_period = double(a.period) / e1 * 12 / a.population * o.per;
        a.rate_comparison = double(a.comparison) / e2 * 12 / a.population * o.per;
    }
    a.trend = mann_kendall(a.monthly);
    if (a.monthly.size() >= 24) a.seasonal = seasonal_mann_kendall(a.monthly, 12);
}

} // namespace

MonthIndex parse_month(const std::string& text, const char* what) {
    const auto bad = [&] { return UsageError(unit, std::string(what) + " must be a month YYYY-MM (got '" + text + "')"); };
    if (text.size() != 7 || text[4] != '-') throw bad();
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u})
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) throw bad();
    const int y = std::stoi(text.substr(0, 4)), m = std::stoi(text.substr(5, 2));
    if (m < 1 || m > 12 || y < 1900) throw bad();
    return MonthIndex(y * 12 + m - 1);
}

std::string format_month(MonthIndex m) {
    char b[16];
    std::snprintf(b, sizeof b, "%04d-%02d", int(m / 12), int(m % 12 + 1));
    return b;
}

MonthIndex month_of_days(std::int32_t days) noexcept {
    const std::int32_t c = civil_from_days(days);
    return MonthIndex((c / 10000) * 12 + (c / 100) % 100 - 1);
}

void ChangeOptions::validate() const {
    const int given = !period_from.empty() + !period_to.empty() + !compare_from.empty() + !compare_to.empty();
    if (given != 0 && given != 4)
        throw UsageError(unit, "give all four of --period-from, --period-to, --compare-from and --compare-to, or none "
                               "(none: the last 12 months of the data against the 12 before)");
    if (given == 4) {
        const MonthIndex pf = parse_month(period_from, "--period-from"), pt = parse_month(period_to, "--period-to");
        const MonthIndex cf = parse_month(compare_from, "--compare-from"), ct = parse_month(compare_to, "--compare-to");
        if (pf > pt) throw UsageError(unit, "--period-from " + period_from + " is after --period-to " + period_to);
        if (cf > ct) throw UsageError(unit, "--compare-from " + compare_from + " is after --compare-to " + compare_to);
        if (!(pt < cf || ct < pf))
            throw UsageError(unit, "the period " + period_from + ".." + period_to + " and the comparison " + compare_from + ".." +
                                       compare_to + " overlap; give two separate periods");
        if (std::max(pt, ct) - std::min(pf, cf) >= 12 * 50)
            throw UsageError(unit, "the periods span more than 50 years; check the years");
    }
    levels.validate();
    if (!(per > 0) || !std::isfinite(per) || per > 1e9)
        throw UsageError(unit, "--per must be > 0 residents (got " + num(per) + "), e.g. 1000");
    if (!(snap_m >= 0) || !std::isfinite(snap_m) || snap_m > 10000)
        throw UsageError(unit, "--snap must be between 0 and 10000 metres (got " + num(snap_m) + ")");
    if (!profile.empty() && !find_builtin(profile))
        throw UsageError(unit, "unknown --profile '" + profile + "'; `hotspot profiles` lists the built-in ones");
}

nlohmann::ordered_json ChangeOptions::to_json() const {
    return {{"period_from", period_from},
            {"period_to", period_to},
            {"compare_from", compare_from},
            {"compare_to", compare_to},
            {"p_increase", levels.weak},
            {"p_significant", levels.strong},
            {"per", per},
            {"snap_m", snap_m},
            {"profile", profile}};
}

ChangeResult run_change_step(const ChangeStepInput& in, const ChangeOptions& o, unsigned threads, const Progress& progress) {
    o.validate();
    ChangeResult r;
    const IncidentTable& inc = *in.incidents;
    std::vector<std::uint32_t> rows;
    if (in.rows) rows = *in.rows;
    else {
        rows.resize(inc.size());
        for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = std::uint32_t(i);
    }
    r.label = in.label;
    r.selected = rows.size();
    std::vector<MonthIndex> month(rows.size(), std::numeric_limits<MonthIndex>::min());
    MonthIndex lo = std::numeric_limits<MonthIndex>::max(), hi = std::numeric_limits<MonthIndex>::min();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::int32_t d = inc.date_days[rows[i]];
        if (d == no_date) {
            ++r.no_date;
            continue;
        }
        month[i] = month_of_days(d);
        lo = std::min(lo, month[i]);
        hi = std::max(hi, month[i]);
    }
    if (lo > hi) throw UsageError(unit, "no selected incident has a date; map the date column with --date");

    // ---- the periods
    if (o.period_from.empty()) {
        const MonthIndex span = hi - lo + 1;
        if (span < 2)
            throw UsageError(unit, "the incidents cover only " + format_month(lo) +
                                       "; give --period-from/--period-to and --compare-from/--compare-to");
        const MonthIndex len = std::min<MonthIndex>(12, span / 2);
        r.period_to = hi, r.period_from = hi - len + 1;
        r.compare_to = r.period_from - 1, r.compare_from = r.compare_to - len + 1;
    } else {
        r.period_from = parse_month(o.period_from, "--period-from"), r.period_to = parse_month(o.period_to, "--period-to");
        r.compare_from = parse_month(o.compare_from, "--compare-from"), r.compare_to = parse_month(o.compare_to, "--compare-to");
    }
    r.series_from = std::min(r.period_from, r.compare_from);
    r.series_to = std::max(r.period_to, r.compare_to);
    if (r.series_to < lo || r.series_from > hi)
        throw UsageError(unit, "the periods " + format_month(r.series_from) + ".." + format_month(r.series_to) +
                                   " hold no incident; the data run from " + format_month(lo) + " to " + format_month(hi));
    const std::size_t months = std::size_t(r.series_to - r.series_from + 1);
    const auto in_series = [&](MonthIndex m) { return m >= r.series_from && m <= r.series_to; };
    const auto in_periods = [&](MonthIndex m) {
        return (m >= r.period_from && m <= r.period_to) || (m >= r.compare_from && m <= r.compare_to);
    };

    // ---- the study area's series, and the months with no incident at all (a missing file)
    r.study_area.code = "study_area";
    r.study_area.name = r.label;
    r.study_area.monthly.assign(months, 0);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (inc.date_days[rows[i]] == no_date) continue;
        if (!in_periods(month[i])) ++r.outside_periods;
        if (in_series(month[i])) r.study_area.monthly[std::size_t(month[i] - r.series_from)] += 1;
    }
    std::vector<bool> absent(months, false);
    for (std::size_t m = 0; m < months; ++m)
        if (r.study_area.monthly[m] == 0) absent[m] = true, r.absent_months.push_back(r.series_from + MonthIndex(m));
    if (!r.absent_months.empty()) {
        std::string list;
        for (auto m : r.absent_months) list += (list.empty() ? "" : ", ") + format_month(m);
        r.warnings.push_back("change: no incident at all in " + list +
                             " (a month missing from the input?); those months count as missing in the trends, and the "
                             "period totals are lower by them");
    }
    fill_change(r.study_area, r.series_from, r, o, absent);

    // ---- each area layer: placed by the caller (per table row) or here
    std::vector<double> xs, ys;
    std::vector<MonthIndex> ms;
    std::vector<std::uint32_t> kept;  // the table rows of xs/ys/ms
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (inc.date_days[rows[i]] != no_date && in_series(month[i]))
            xs.push_back(inc.x[rows[i]]), ys.push_back(inc.y[rows[i]]), ms.push_back(month[i]), kept.push_back(rows[i]);
    for (std::size_t l = 0; l < in.layers.size(); ++l) {
        const AreaLayer& layer = *in.layers[l];
        const std::vector<std::int32_t>* given = l < in.placed.size() ? in.placed[l] : nullptr;
        const std::vector<double>* pop = l < in.populations.size() ? in.populations[l] : nullptr;
        ChangeLayerResult lr;
        lr.name = layer.name;
        std::vector<std::int32_t> area_of(xs.size(), -1);
        if (given) {
            for (std::size_t i = 0; i < xs.size(); ++i) area_of[i] = (*given)[kept[i]];
        } else {
            const AreaIndex index(layer.polygons);
            area_of = geocode(index, xs, ys, o.snap_m, threads, progress).area;
        }
        lr.areas.resize(layer.size());
        for (std::size_t a = 0; a < layer.size(); ++a) {
            lr.areas[a].code = layer.codes[a];
            lr.areas[a].name = layer.names[a];
            lr.areas[a].monthly.assign(months, 0);
            if (pop && a < pop->size()) lr.areas[a].population = (*pop)[a];
        }
        for (std::size_t i = 0; i < xs.size(); ++i) {
            if (area_of[i] < 0 || std::size_t(area_of[i]) >= lr.areas.size()) {
                if (in_periods(ms[i])) ++lr.outside;
                continue;
            }
            lr.areas[std::size_t(area_of[i])].monthly[std::size_t(ms[i] - r.series_from)] += 1;
        }
        for (auto& a : lr.areas) {
            fill_change(a, r.series_from, r, o, absent);
            ++lr.classes[int(a.change) + 2];
        }
        r.layers.push_back(std::move(lr));
    }
    r.method = "exact conditional test of two Poisson counts (R poisson.test; n1 | n1+n2 ~ Binomial with the periods' months "
               "as exposure), two-sided; classes: significant increase/decrease p < " + num(o.levels.strong) +
               ", increase/decrease p < " + num(o.levels.weak) +
               ", else no significant change; monthly trend: Mann-Kendall (tie-corrected variance, continuity correction) "
               "with Sen's slope; seasonal Mann-Kendall (Hirsch et al. 1982, 12 seasons) when the series spans >= 24 months";
    return r;
}

ChangeResult compute_change(const IncidentTable& inc, const std::vector<AreaLayer>& areas,
                            const std::vector<std::vector<double>>& populations, const ChangeOptions& o, bool police_uk,
                            unsigned threads, const Progress& progress,
                            const std::vector<std::vector<std::int32_t>>* placed) {
    o.validate();
    ProfileRows chosen = select_profile_rows(inc, o.profile, police_uk);
    ChangeStepInput in;
    in.incidents = &inc;
    in.rows = &chosen.rows;
    in.label = chosen.label;
    for (std::size_t l = 0; l < areas.size(); ++l) {
        in.layers.push_back(&areas[l]);
        in.populations.push_back(l < populations.size() ? &populations[l] : nullptr);
        const bool given = placed && l < placed->size() && (*placed)[l].size() == inc.size();
        in.placed.push_back(given ? &(*placed)[l] : nullptr);
    }
    ChangeResult r = run_change_step(in, o, threads, progress);
    r.warnings.insert(r.warnings.begin(), chosen.warnings.begin(), chosen.warnings.end());
    return r;
}

std::string ChangeResult::sentence() const {
    const AreaChange& s = study_area;
    std::ostringstream o;
    const double pct = s.test.pct_change;
    const bool equal_lengths = period_to - period_from == compare_to - compare_from;
    o << label << " ";
    if (s.period_hidden || s.comparison_hidden)  // publish mode: fewer than the threshold in a period
        o << "is too rare in " << (s.period_hidden ? range_words(period_from, period_to) : range_words(compare_from, compare_to))
          << " for its count or its change to be published.";
    else {
    if (std::isnan(pct) || s.test.rate_ratio == 1) o << "did not change";
    else if (std::isinf(pct)) o << "rose from none";
    else o << (pct > 0 ? "rose " : "fell ") << num(std::round(std::abs(pct) * 10) / 10, 6) << "%" << (equal_lengths ? "" : " per month");
    o << " (" << thousands(s.comparison) << " in " << range_words(compare_from, compare_to) << " to " << thousands(s.period)
      << " in " << range_words(period_from, period_to) << "), ";
    const ChangeClass c = s.change;
    o << (c == ChangeClass::no_significant_change ? "no significant change"
                                                  : (c == ChangeClass::increase || c == ChangeClass::decrease ? "an " : "a ") +
                                                        std::string(to_string(c)))
      << " (exact Poisson test, " << p_value_words(s.test.p) << ").";
    }
    if (s.trend_hidden) return o.str();
    const MannKendall& t = s.seasonal ? *s.seasonal : s.trend;
    o << " Monthly trend " << format_month(series_from) << " to " << format_month(series_to) << ": " << trend_words(t);
    if (s.seasonal) o << ", Sen's slope " << (t.sen_slope >= 0 ? "+" : "") << num(std::round(t.sen_slope * 10) / 10, 8)
                      << " incidents per month per year (seasonal Mann-Kendall, " << p_value_words(t.p) << ").";
    else o << ", Sen's slope " << (t.sen_slope >= 0 ? "+" : "") << num(std::round(t.sen_slope * 10) / 10, 8)
           << " incidents per month (Mann-Kendall, " << p_value_words(t.p) << ").";
    return o.str();
}

namespace {

void set_change_row(VectorWriter& w, const AreaChange& a) {
    const LayerSchema& s = change_schema();
    const auto finite = [](double v) { return std::isfinite(v) ? v : nan; };
    w.set_string(s.at("code"), a.code);
    w.set_string(s.at("name"), a.name);
    if (!a.period_hidden) w.set_integer(s.at("period_count"), a.period);
    if (!a.comparison_hidden) w.set_integer(s.at("comparison_count"), a.comparison);
    w.set_real(s.at("population"), a.population);
    if (a.period_hidden || a.comparison_hidden) w.set_string(s.at("change_class"), "suppressed");  // publish mode
    else {
    w.set_real(s.at("pct_change"), finite(a.test.pct_change));
    w.set_real(s.at("rate_ratio"), finite(a.test.rate_ratio));
    w.set_real(s.at("rr_lower95"), a.test.ratio_lower);
    w.set_real(s.at("rr_upper95"), finite(a.test.ratio_upper));
    w.set_real(s.at("p"), a.test.p);
    w.set_string(s.at("change_class"), std::string(to_string(a.change)));
    w.set_integer(s.at("class_level"), int(a.change));
    w.set_real(s.at("period_rate"), a.rate_period);
    w.set_real(s.at("comparison_rate"), a.rate_comparison);
    w.set_real(s.at("rate_change"), a.rate_period - a.rate_comparison);
    }
    if (a.trend_hidden) return;
    w.set_real(s.at("mk_s"), a.trend.s);
    w.set_real(s.at("mk_tau"), a.trend.tau);
    w.set_real(s.at("mk_p"), a.trend.p);
    w.set_real(s.at("sen_slope_per_month"), a.trend.sen_slope);
    w.set_string(s.at("trend"), std::string(trend_words(a.seasonal ? *a.seasonal : a.trend)));
    w.set_real(s.at("seasonal_mk_p"), a.seasonal ? a.seasonal->p : nan);
    w.set_real(s.at("seasonal_sen_per_year"), a.seasonal ? a.seasonal->sen_slope : nan);
}

nlohmann::ordered_json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr; }

} // namespace

std::string p_value_words(double p) {
    if (p < 0.001) return "p < 0.001";
    std::ostringstream s;
    s.precision(p < 0.01 ? 1 : 2);
    s << "p = " << p;
    return s.str();
}

const LayerSchema& change_schema() {
    static const LayerSchema s{{{"code", FieldType::string},           {"name", FieldType::string},
                                {"period_count", FieldType::integer},  {"comparison_count", FieldType::integer},
                                {"pct_change", FieldType::real},       {"rate_ratio", FieldType::real},
                                {"rr_lower95", FieldType::real},       {"rr_upper95", FieldType::real},
                                {"p", FieldType::real},                {"change_class", FieldType::string},
                                {"class_level", FieldType::integer},   {"population", FieldType::real},
                                {"period_rate", FieldType::real},      {"comparison_rate", FieldType::real},
                                {"rate_change", FieldType::real},      {"mk_s", FieldType::real},
                                {"mk_tau", FieldType::real},           {"mk_p", FieldType::real},
                                {"sen_slope_per_month", FieldType::real}, {"trend", FieldType::string},
                                {"seasonal_mk_p", FieldType::real},    {"seasonal_sen_per_year", FieldType::real}}};
    return s;
}

std::string change_periods_text(const ChangeResult& r) {
    return format_month(r.period_from) + ".." + format_month(r.period_to) + " against " + format_month(r.compare_from) +
           ".." + format_month(r.compare_to);
}

void write_change_study_table(VectorWriter& w, const std::string& layer, const ChangeResult& r, const std::string& description) {
    w.begin_layer(layer, GeomType::none, change_schema().fields, description);
    set_change_row(w, r.study_area);
    w.write_feature();
}

nlohmann::ordered_json write_change_layer(VectorWriter& w, const std::string& layer, const ChangeLayerResult& lr,
                                          const std::vector<MultiPolygon>* polygons, const std::string& description,
                                          const ChangeOptions& o) {
    const bool spatial = polygons && polygons->size() == lr.areas.size();
    w.begin_layer(layer, spatial ? GeomType::multipolygon : GeomType::none, change_schema().fields, description);
    for (std::size_t a = 0; a < lr.areas.size(); ++a) {
        set_change_row(w, lr.areas[a]);
        if (spatial) w.set_multipolygon((*polygons)[a]);
        w.write_feature();
    }
    if (spatial)
        w.add_style(layer, std::string(style_qml("change_class")),
                    "Direction of travel, exact Poisson test (p < " + num(o.levels.strong) + " / " + num(o.levels.weak) +
                        "); hotspot " + std::string(hotspot::version),
                    layer + " change class", true);
    nlohmann::ordered_json lj = {{"layer", layer}, {"areas", lr.areas.size()}, {"incidents_outside", lr.outside}};
    for (int k = -2; k <= 2; ++k) lj["classes"][std::string(to_string(ChangeClass(k)))] = lr.classes[k + 2];
    return lj;
}

std::string change_series_csv(const ChangeResult& r) {
    std::ostringstream csv;
    csv << "level,code,name,month,incidents\n";
    const auto rows_of = [&](const std::string& level, const AreaChange& a) {
        for (std::size_t m = 0; m < a.monthly.size(); ++m) {
            csv << csv_escape(level) << ',' << csv_escape(a.code) << ',' << csv_escape(a.name) << ','
                << format_month(r.series_from + MonthIndex(m)) << ',';
            if (!std::isnan(a.monthly[m])) csv << std::int64_t(a.monthly[m]);
            csv << '\n';
        }
    };
    rows_of("study_area", r.study_area);
    for (const auto& lr : r.layers)
        for (const auto& a : lr.areas) rows_of(lr.name, a);
    return csv.str();
}

namespace {

using ojson = nlohmann::ordered_json;

double num_or_nan(const ojson& j, const char* key) { return json_value_or(j, key, std::numeric_limits<double>::quiet_NaN()); }

std::pair<std::string, std::string> month_pair(const ojson& j, const char* key) {
    const auto v = json_value_or(j, key, std::vector<std::string>());
    return {v.size() > 0 ? v[0] : std::string(), v.size() > 1 ? v[1] : std::string()};
}

std::vector<ChangeAreaNode> areas_from(const ojson& j, const char* key) {
    std::vector<ChangeAreaNode> v;
    for (const auto& a : json_value_or(j, key, ojson::array())) v.push_back(ChangeAreaNode::from_json(a));
    return v;
}

ojson areas_json(const std::vector<ChangeAreaNode>& v) {
    ojson j = ojson::array();
    for (const auto& a : v) j.push_back(a.to_json());
    return j;
}

} // namespace

ChangeAreaNode ChangeAreaNode::of(const AreaChange& a) {
    ChangeAreaNode n;
    n.code = a.code, n.name = a.name;
    n.comparison_count = a.comparison, n.period_count = a.period;
    n.pct_change = a.test.pct_change, n.p = a.test.p;
    n.change_class = std::string(to_string(a.change));
    return n;
}

ojson ChangeAreaNode::to_json() const {
    return {{"code", code}, {"name", name}, {"comparison_count", comparison_count}, {"period_count", period_count},
            {"pct_change", finite_or_null(pct_change)}, {"p", p}, {"class", change_class}};
}

ChangeAreaNode ChangeAreaNode::from_json(const ojson& j) {
    ChangeAreaNode n;
    n.code = json_value_or(j, "code", std::string());
    n.name = json_value_or(j, "name", std::string());
    n.comparison_count = json_value_or(j, "comparison_count", std::int64_t(0));
    n.period_count = json_value_or(j, "period_count", std::int64_t(0));
    n.pct_change = num_or_nan(j, "pct_change");
    n.p = json_value_or(j, "p", 1.0);
    n.change_class = json_value_or(j, "class", std::string());
    return n;
}

ojson ChangeLevelNode::to_json() const {
    ojson j = layer.is_object() ? layer : ojson::object();
    j["level"] = level;
    if (hotspots()) {
        j["each"] = areas_json(each);
    } else {
        j["rising"] = areas_json(rising);
        j["falling"] = areas_json(falling);
    }
    return j;
}

ChangeLevelNode ChangeLevelNode::from_json(const ojson& j) {
    ChangeLevelNode n;
    n.layer = ojson::object();
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it)
            if (it.key() != "level" && it.key() != "each" && it.key() != "rising" && it.key() != "falling") n.layer[it.key()] = it.value();
    n.level = json_value_or(j, "level", std::string());
    n.each = areas_from(j, "each");
    n.rising = areas_from(j, "rising");
    n.falling = areas_from(j, "falling");
    return n;
}

ojson ChangeTrendNode::to_json() const {
    ojson m = ojson::array();
    for (double v : monthly) m.push_back(finite_or_null(v));
    if (!withheld.empty()) return {{"series", {series_from, series_to}}, {"monthly", m}, {"withheld", withheld}};
    ojson j = {{"series", {series_from, series_to}}, {"mk_s", mk_s}, {"mk_tau", mk_tau}, {"mk_p", mk_p},
               {"sen_slope_per_month", finite_or_null(sen_slope_per_month)}, {"words", words}, {"monthly", m}};
    if (!seasonal.is_null()) j["seasonal"] = seasonal;
    return j;
}

ChangeTrendNode ChangeTrendNode::from_json(const ojson& j) {
    ChangeTrendNode n;
    std::tie(n.series_from, n.series_to) = month_pair(j, "series");
    n.mk_s = json_value_or(j, "mk_s", 0.0);
    n.mk_tau = json_value_or(j, "mk_tau", 0.0);
    n.mk_p = json_value_or(j, "mk_p", 1.0);
    n.sen_slope_per_month = num_or_nan(j, "sen_slope_per_month");
    n.words = json_value_or(j, "words", std::string());
    for (const auto& v : json_value_or(j, "monthly", ojson::array()))
        n.monthly.push_back(v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN());
    n.seasonal = json_value_or(j, "seasonal", ojson());
    n.withheld = json_value_or(j, "withheld", std::string());
    return n;
}

ojson ChangeSummaryNode::to_json() const {
    const auto count = [](const std::optional<std::int64_t>& v) { return v ? ojson(*v) : ojson(nullptr); };
    return {{"label", label},
            {"period", {period_from, period_to}},
            {"comparison", {comparison_from, comparison_to}},
            {"period_count", count(period_count)},
            {"comparison_count", count(comparison_count)},
            {"pct_change", finite_or_null(pct_change)},
            {"rate_ratio", finite_or_null(rate_ratio)},
            {"rr_lower95", finite_or_null(rr_lower95)},
            {"rr_upper95", finite_or_null(rr_upper95)},
            {"p", finite_or_null(p)},
            {"class", change_class},
            {"trend", trend.to_json()},
            {"sentence", sentence},
            {"absent_months", absent_months}};
}

ChangeSummaryNode ChangeSummaryNode::from_json(const ojson& j) {
    ChangeSummaryNode n;
    n.label = json_value_or(j, "label", std::string());
    std::tie(n.period_from, n.period_to) = month_pair(j, "period");
    std::tie(n.comparison_from, n.comparison_to) = month_pair(j, "comparison");
    if (j.is_object() && j.contains("period_count") && !j["period_count"].is_null()) n.period_count = j["period_count"].get<std::int64_t>();
    if (j.is_object() && j.contains("comparison_count") && !j["comparison_count"].is_null())
        n.comparison_count = j["comparison_count"].get<std::int64_t>();
    n.pct_change = num_or_nan(j, "pct_change");
    n.rate_ratio = num_or_nan(j, "rate_ratio");
    n.rr_lower95 = num_or_nan(j, "rr_lower95");
    n.rr_upper95 = num_or_nan(j, "rr_upper95");
    n.p = num_or_nan(j, "p");
    n.change_class = json_value_or(j, "class", std::string());
    n.trend = ChangeTrendNode::from_json(json_value_or(j, "trend", ojson::object()));
    n.sentence = json_value_or(j, "sentence", std::string());
    n.absent_months = json_value_or(j, "absent_months", std::vector<std::string>());
    return n;
}

ChangeManifestNode ChangeManifestNode::of(const ChangeResult& r, const ChangeOptions& o) {
    ChangeManifestNode n;
    n.options = o.to_json();
    n.method = r.method;
    n.selected = r.selected, n.no_date = r.no_date, n.outside_periods = r.outside_periods;
    const AreaChange& s = r.study_area;
    const bool test = !s.period_hidden && !s.comparison_hidden;
    const double none = std::numeric_limits<double>::quiet_NaN();
    ChangeSummaryNode& c = n.change;
    c.label = r.label;
    c.period_from = format_month(r.period_from), c.period_to = format_month(r.period_to);
    c.comparison_from = format_month(r.compare_from), c.comparison_to = format_month(r.compare_to);
    if (!s.period_hidden) c.period_count = s.period;
    if (!s.comparison_hidden) c.comparison_count = s.comparison;
    c.pct_change = test ? s.test.pct_change : none;
    c.rate_ratio = test ? s.test.rate_ratio : none;
    c.rr_lower95 = test ? s.test.ratio_lower : none;
    c.rr_upper95 = test ? s.test.ratio_upper : none;
    c.p = test ? s.test.p : none;
    c.change_class = test ? std::string(to_string(s.change)) : "suppressed";
    ChangeTrendNode& t = c.trend;
    t.series_from = format_month(r.series_from), t.series_to = format_month(r.series_to);
    if (s.trend_hidden) {
        t.withheld = "publish mode: a month below the threshold";
    } else {
        t.mk_s = s.trend.s, t.mk_tau = s.trend.tau, t.mk_p = s.trend.p;
        t.sen_slope_per_month = s.trend.sen_slope;
        t.words = std::string(trend_words(s.seasonal ? *s.seasonal : s.trend));
        t.monthly = s.monthly;
        if (s.seasonal)
            t.seasonal = {{"s", s.seasonal->s}, {"p", s.seasonal->p}, {"sen_slope_per_year", finite_or_null(s.seasonal->sen_slope)}};
    }
    c.sentence = r.sentence();
    for (auto m : r.absent_months) c.absent_months.push_back(format_month(m));
    return n;
}

ojson ChangeManifestNode::to_json() const {
    if (!skipped.empty()) return {{"skipped", skipped}};
    ojson j;
    j["options"] = options;
    j["method"] = method;
    j["counts"] = {{"selected", selected}, {"no_date", no_date}, {"outside_periods", outside_periods}};
    j["change"] = change.to_json();
    if (!comparison_source.empty()) j["comparison_source"] = comparison_source;
    if (levels) {
        j["levels"] = ojson::array();
        for (const auto& l : *levels) j["levels"].push_back(l.to_json());
    }
    if (publish_rows_hidden) j["publish_rows_hidden"] = *publish_rows_hidden;
    return j;
}

ChangeManifestNode ChangeManifestNode::from_json(const ojson& node) {
    ChangeManifestNode n;
    n.skipped = json_value_or(node, "skipped", std::string());
    n.options = json_value_or(node, "options", ojson());
    n.method = json_value_or(node, "method", std::string());
    const ojson counts = json_value_or(node, "counts", ojson::object());
    n.selected = json_value_or(counts, "selected", std::uint64_t(0));
    n.no_date = json_value_or(counts, "no_date", std::uint64_t(0));
    n.outside_periods = json_value_or(counts, "outside_periods", std::uint64_t(0));
    n.change = ChangeSummaryNode::from_json(json_value_or(node, "change", ojson::object()));
    n.comparison_source = json_value_or(node, "comparison_source", std::string());
    if (node.is_object() && node.contains("levels") && node["levels"].is_array()) {
        n.levels.emplace();
        for (const auto& l : node["levels"]) n.levels->push_back(ChangeLevelNode::from_json(l));
    }
    if (node.is_object() && node.contains("publish_rows_hidden")) n.publish_rows_hidden = node["publish_rows_hidden"].get<std::uint64_t>();
    return n;
}

nlohmann::ordered_json change_manifest_node(const ChangeResult& r, const ChangeOptions& o) {
    return ChangeManifestNode::of(r, o).to_json();
}

} // namespace hotspot

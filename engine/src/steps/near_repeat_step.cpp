// The near-repeat step (steps/near_repeat_step.hpp): the Knox test on a profile's incidents, the
// raised-risk windows, and the two layers. `hotspot near-repeat` and `hotspot run` both call it.

#include "hotspot/steps/near_repeat_step.hpp"

#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/version.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "near-repeat";

using util::num;

std::string iso_date(std::int32_t days) {
    const std::int32_t c = civil_from_days(days);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c / 10000, (c / 100) % 100, c % 100);
    return buf;
}

std::string csv_quote(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string p_text(double p) { return num(p, 3); }

const char* metric_name(DistanceMetric m) { return m == DistanceMetric::manhattan ? "manhattan" : "euclidean"; }

/// GEOS handle of one step, finished on scope exit.
struct Geos {
    GEOSContextHandle_t h = GEOS_init_r();
    ~Geos() { GEOS_finish_r(h); }
};

void append_ring(const Geos& g, const GEOSGeometry* ring, Polygon& poly) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(g.h, ring);
    unsigned size = 0;
    GEOSCoordSeq_getSize_r(g.h, seq, &size);
    Ring out;
    out.reserve(size);
    for (unsigned k = 0; k < size; ++k) {
        double x = 0, y = 0;
        GEOSCoordSeq_getXY_r(g.h, seq, k, &x, &y);
        out.push_back({x, y});
    }
    poly.rings.push_back(std::move(out));
}

MultiPolygon to_multipolygon(const Geos& g, const GEOSGeometry* geom) {
    MultiPolygon mp;
    const int parts = GEOSGetNumGeometries_r(g.h, geom);
    for (int k = 0; k < parts; ++k) {
        const GEOSGeometry* part = GEOSGetGeometryN_r(g.h, geom, k);
        if (GEOSGeomTypeId_r(g.h, part) != GEOS_POLYGON) continue;
        Polygon poly;
        append_ring(g, GEOSGetExteriorRing_r(g.h, part), poly);
        for (int h = 0; h < GEOSGetNumInteriorRings_r(g.h, part); ++h) append_ring(g, GEOSGetInteriorRingN_r(g.h, part, h), poly);
        mp.push_back(std::move(poly));
    }
    return mp;
}

/// Buffers of `radius` around the points, grouped where they overlap (centres nearer than twice
/// the radius, found on a grid; union-find), each group unioned by GEOS. Groups come out ordered
/// by their first member in `order`.
struct Group {
    std::vector<std::size_t> members;
    MultiPolygon shape;
    double area = 0;
};

std::vector<Group> merged_buffers(const std::vector<double>& x, const std::vector<double>& y, double radius,
                                  bool manhattan) {
    const std::size_t n = x.size();
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](std::size_t a) {
        while (parent[a] != a) a = parent[a] = parent[parent[a]];
        return a;
    };
    const double cell = 2 * radius;
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> grid;
    for (std::size_t i = 0; i < n; ++i)
        grid[{std::int64_t(std::floor(x[i] / cell)), std::int64_t(std::floor(y[i] / cell))}].push_back(i);
    for (const auto& [key, members] : grid)
        for (std::int64_t dy = -1; dy <= 1; ++dy)
            for (std::int64_t dx = -1; dx <= 1; ++dx) {
                auto it = grid.find({key.first + dx, key.second + dy});
                if (it == grid.end()) continue;
                for (std::size_t i : members)
                    for (std::size_t j : it->second) {
                        if (j <= i) continue;
                        const double ddx = x[i] - x[j], ddy = y[i] - y[j];
                        const bool overlap = manhattan ? std::abs(ddx) + std::abs(ddy) < cell : ddx * ddx + ddy * ddy < cell * cell;
                        if (overlap) parent[std::max(find(i), find(j))] = std::min(find(i), find(j));
                    }
            }
    std::map<std::size_t, std::size_t> root_group;
    std::vector<Group> groups;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t root = find(i);
        auto [it, fresh] = root_group.emplace(root, groups.size());
        if (fresh) groups.emplace_back();
        groups[it->second].members.push_back(i);
    }
    Geos g;
    for (auto& grp : groups) {
        std::vector<GEOSGeometry*> parts;
        for (std::size_t i : grp.members) {
            GEOSGeometry* pt = GEOSGeom_createPointFromXY_r(g.h, x[i], y[i]);
            // quadrant segments 1 gives the diamond of a Manhattan ball exactly
            parts.push_back(GEOSBuffer_r(g.h, pt, radius, manhattan ? 1 : 16));
            GEOSGeom_destroy_r(g.h, pt);
        }
        GEOSGeometry* coll = GEOSGeom_createCollection_r(g.h, GEOS_GEOMETRYCOLLECTION, parts.data(), unsigned(parts.size()));
        GEOSGeometry* u = GEOSUnaryUnion_r(g.h, coll);
        GEOSGeom_destroy_r(g.h, coll);
        if (!u) throw Error(unit, "GEOS could not merge the risk-window buffers");
        grp.shape = to_multipolygon(g, u);
        GEOSArea_r(g.h, u, &grp.area);
        GEOSGeom_destroy_r(g.h, u);
    }
    return groups;
}


/// Month-resolution time band labels: "same month", "1 month apart", "2–3 months apart",
/// "3 or more months apart".
std::string month_label(std::int32_t lo, std::int32_t hi, bool last) {
    if (last) return std::to_string(lo) + (lo == 1 ? " month" : " months") + " or more apart";
    if (hi - lo == 1) return lo == 0 ? std::string("same month") : std::to_string(lo) + (lo == 1 ? " month apart" : " months apart");
    return std::to_string(lo) + "–" + std::to_string(hi - 1) + " months apart";
}

} // namespace

DistanceMetric parse_distance_metric(const std::string& name) {
    if (name == "euclidean") return DistanceMetric::euclidean;
    if (name == "manhattan") return DistanceMetric::manhattan;
    throw UsageError(unit, "unknown --distance '" + name + "'; use euclidean or manhattan");
}

void NearRepeatStepOptions::set_compat_nrc() {
    labels = KnoxLabels::nrc;
    bands.same_location_m = 1;
}

void NearRepeatStepOptions::validate() const {
    bands.validate();
    if (permutations < 1 || permutations > 99999)
        throw UsageError(unit, "--permutations must be 1..99999 (got " + std::to_string(permutations) + ")");
    if (!(alpha > 0 && alpha < 1)) throw UsageError(unit, "--alpha must be between 0 and 1 (got " + num(alpha) + ")");
    if (recent_days < 0 || recent_days > 3660)
        throw UsageError(unit, "--recent-days must be 0..3660 (got " + std::to_string(recent_days) + ")");
    if (risk_distance_m && (!(*risk_distance_m > 0) || !std::isfinite(*risk_distance_m)))
        throw UsageError(unit, "--risk-distance must be > 0 m (got " + num(*risk_distance_m) + ")");
    if (risk_days && (*risk_days < 1 || *risk_days > 3660))
        throw UsageError(unit, "--risk-days must be 1..3660 (got " + std::to_string(*risk_days) + ")");
    if (what.empty()) throw UsageError(unit, "--what must name the incidents (e.g. burglaries)");
}

nlohmann::ordered_json NearRepeatStepOptions::to_json() const {
    nlohmann::ordered_json j;
    j["distance_limits_m"] = bands.distance_limits_m;
    j["day_limits"] = bands.day_limits;
    j["same_location_m"] = bands.same_location_m;
    j["distance"] = metric_name(bands.metric);
    j["permutations"] = permutations;
    j["seed"] = seed;
    j["alpha"] = alpha;
    j["labels"] = labels == KnoxLabels::nrc ? "nrc" : "true-limits";
    j["recent_days"] = recent_days;
    j["risk_distance_m"] = risk_distance_m ? nlohmann::ordered_json(*risk_distance_m) : nlohmann::ordered_json(nullptr);
    j["risk_days"] = risk_days ? nlohmann::ordered_json(*risk_days) : nlohmann::ordered_json(nullptr);
    j["what"] = what;
    return j;
}

const LayerSchema& knox_layer_schema() {
    static const LayerSchema s{{{"row", FieldType::integer},       {"col", FieldType::integer},
                                {"distance_band", FieldType::string}, {"time_band", FieldType::string},
                                {"distance_lo_m", FieldType::real},   {"distance_hi_m", FieldType::real},
                                {"days_lo", FieldType::integer},      {"days_hi", FieldType::integer},
                                {"observed", FieldType::integer},     {"expected", FieldType::real},
                                {"ratio", FieldType::real},           {"perm_ge", FieldType::integer},
                                {"p", FieldType::real},               {"significant", FieldType::integer}}};
    return s;
}

const LayerSchema& risk_windows_layer_schema() {
    static const LayerSchema s{{{"window_id", FieldType::integer}, {"incidents", FieldType::integer},
                                {"first_date", FieldType::string}, {"expires", FieldType::string},
                                {"distance_m", FieldType::real},   {"days", FieldType::integer},
                                {"area_m2", FieldType::real}}};
    return s;
}

std::string knox_csv(const KnoxResult& t) {
    std::ostringstream s;
    const auto& f = knox_layer_schema().fields;
    for (std::size_t k = 0; k < f.size(); ++k) s << (k ? "," : "") << f[k].name;
    s << '\n';
    for (std::size_t row = 0; row < t.rows; ++row)
        for (std::size_t col = 0; col < t.cols; ++col) {
            const std::size_t c = t.cell(row, col);
            s << row << ',' << col << ',' << csv_quote(t.row_labels[row]) << ',' << csv_quote(t.col_labels[col]) << ','
              << num(t.row_lo_m[row]) << ',' << (std::isfinite(t.row_hi_m[row]) ? num(t.row_hi_m[row]) : "") << ','
              << t.col_lo_days[col] << ',' << (col + 1 < t.cols ? std::to_string(t.col_hi_days[col]) : "") << ','
              << t.observed[c] << ',' << num(t.expected[c]) << ',' << (std::isfinite(t.ratio[c]) ? num(t.ratio[c]) : "")
              << ',' << t.perm_ge[c] << ',' << num(t.p[c]) << ',' << int(t.significant[c]) << '\n';
        }
    return s.str();
}

NearRepeatResult run_near_repeat_step(const NearRepeatStepInput& in, const NearRepeatStepOptions& o,
                                      const NearRepeatStepOutput& out, const Progress& progress) {
    o.validate();
    if (!in.incidents || !out.writer) throw Error(unit, "the step was called without incidents or a writer");
    const IncidentTable& inc = *in.incidents;
    const std::string first_file = inc.source_files.empty() ? std::string("incidents") : inc.source_files.front();
    NearRepeatResult r;
    r.months = inc.roles.date < 0 && inc.roles.month >= 0;
    if (r.months && !in.allow_months)
        throw InputError(unit, first_file, 0, inc.field_names[std::size_t(inc.roles.month)],
                         "these incidents have months only (police.uk street-level data): the Knox test needs the day "
                         "of each incident, as near repeats last days to weeks. Use the force's own export with an "
                         "offence date (--date FIELD); police.uk files cannot be used for near repeats");

    const std::size_t n_rows = in.rows ? in.rows->size() : inc.size();
    r.rows = n_rows;
    std::vector<double> x, y;
    std::vector<std::int32_t> days;  // days since 1970, or months since year 0 for months-only data
    std::vector<std::int32_t> date;  // days since 1970 (the windows' dates)
    for (std::size_t k = 0; k < n_rows; ++k) {
        const std::size_t i = in.rows ? (*in.rows)[k] : k;
        if (inc.date_days[i] == no_date) {
            ++r.no_date;
            continue;
        }
        x.push_back(inc.x[i]);
        y.push_back(inc.y[i]);
        date.push_back(inc.date_days[i]);
        if (r.months) {
            const std::int32_t c = civil_from_days(inc.date_days[i]);
            days.push_back((c / 10000) * 12 + (c / 100) % 100 - 1);
        } else {
            days.push_back(inc.date_days[i]);
        }
    }
    r.tested = x.size();
    if (r.tested < 2)
        throw InputError(unit, first_file, 0, inc.roles.date >= 0 ? inc.field_names[std::size_t(inc.roles.date)] : "",
                         std::to_string(r.tested) + " of " + std::to_string(r.rows) +
                             " incidents have a date; the Knox test needs dates: name the date column with --date FIELD");
    if (r.no_date)
        r.warnings.push_back("near-repeat: " + std::to_string(r.no_date) + " of " + std::to_string(r.rows) +
                             " incidents have no readable date and were left out of the Knox test");
    r.first_day = *std::min_element(date.begin(), date.end());
    r.last_day = *std::max_element(date.begin(), date.end());
    if (!r.months) {
        std::size_t firsts = 0;
        for (auto d : date) firsts += civil_from_days(d) % 100 == 1;
        if (r.tested >= 30 && firsts == r.tested)
            r.warnings.push_back("near-repeat: every date is the 1st of a month: these look like months only, and the "
                                 "day bands then measure nothing; use an export with offence dates");
    }

    KnoxOptions ko;
    ko.bands = o.bands;
    if (r.months) ko.bands.day_limits = {1, 2, 3};
    ko.permutations = o.permutations;
    ko.seed = o.seed;
    ko.threads = o.threads;
    ko.alpha = o.alpha;
    ko.labels = o.labels;
    r.table = knox_test(x, y, days, ko, progress);
    KnoxResult& t = r.table;
    if (r.months)
        for (std::size_t col = 0; col < t.cols; ++col)
            t.col_labels[col] = month_label(t.col_lo_days[col], t.col_hi_days[col], col + 1 == t.cols);
    r.risk = raised_risk(t);

    // ---- the sentence: the raised-risk block (raised_risk_rule()), or the first cell when none
    {
        std::ostringstream s;
        const std::size_t last_row = r.risk.found ? r.risk.last_row : 1, last_col = r.risk.found ? r.risk.last_col : 0;
        const KnoxBlock blk = knox_block(t, 1, last_row, 0, last_col);
        const double d = t.row_hi_m[last_row];
        const int dd = t.col_hi_days[last_col];
        s << o.what << " within " << num(d) << " m";
        if (r.months)
            s << (dd == 1 ? " and in the same month as another" : " and within " + std::to_string(dd - 1) +
                                                                     (dd == 2 ? " month" : " months") + " of another");
        else
            s << " and " << dd << (dd == 1 ? " day" : " days") << " of another";
        if (blk.observed == 0)  // "0 times as common" reads as a typo in a meeting pack
            s << ": none, against " << num(std::round(blk.expected * 10) / 10) << " pairs expected by chance (p = " << p_text(blk.p)
              << ", " << t.permutations << " permutations)";
        else
            s << " were " << num(std::round(blk.ratio * 10) / 10) << " times as common as chance (p = " << p_text(blk.p)
              << ", " << t.permutations << " permutations)";
        if (!r.risk.found) s << ": not significant at " << num(o.alpha) << ", no raised-risk window";
        r.sentence = s.str();
    }

    // ---- risk windows (none for months-only data: an expiry date cannot be stated from a month)
    r.window_distance_m = o.risk_distance_m ? *o.risk_distance_m : (r.risk.found ? r.risk.distance_m : 0);
    r.window_days = o.risk_days ? *o.risk_days : (r.risk.found ? r.risk.days : 0);
    if (r.months) {
        r.window_distance_m = 0;
        r.window_days = 0;
        r.warnings.push_back("near-repeat: months only (police.uk): tested by month, and no risk windows drawn, as an "
                             "expiry date cannot be stated from a month; the force's own export with offence dates "
                             "gives both");
    } else if (o.recent_days > 0 && r.window_distance_m > 0 && r.window_days > 0) {
        std::vector<double> rx, ry;
        std::vector<std::int32_t> rd;
        const std::int32_t from = r.last_day - o.recent_days + 1;
        for (std::size_t k = 0; k < x.size(); ++k)
            if (date[k] >= from) rx.push_back(x[k]), ry.push_back(y[k]), rd.push_back(date[k]);
        r.recent = rx.size();
        std::vector<Group> groups = merged_buffers(rx, ry, r.window_distance_m, o.bands.metric == DistanceMetric::manhattan);
        for (std::size_t g = 0; g < groups.size(); ++g) {
            RiskWindow w;
            w.window_id = int(g) + 1;
            w.incidents = int(groups[g].members.size());
            w.first_date = std::numeric_limits<std::int32_t>::max();
            w.expires = std::numeric_limits<std::int32_t>::min();
            for (std::size_t m : groups[g].members) {
                w.first_date = std::min(w.first_date, rd[m]);
                w.expires = std::max(w.expires, rd[m] + r.window_days);
            }
            w.area_m2 = groups[g].area;
            w.shape = std::move(groups[g].shape);
            r.windows.push_back(std::move(w));
        }
    } else if (o.recent_days > 0) {
        r.warnings.push_back("near-repeat: no risk windows: the Knox table shows no significant near repeat in the first "
                             "band; give --risk-distance and --risk-days to draw windows anyway");
    }

    // ---- the two layers
    const std::string time_unit = r.months ? "months" : "days";
    r.method = "Knox test, " + std::string(metric_name(o.bands.metric)) + " distance, half-open bands [lo, hi), " +
               std::to_string(t.permutations) + " permutations of the " + time_unit + " (seed " + std::to_string(t.seed) +
               "), p = (1 + #perm >= observed) / (1 + R), significant when p <= " + num(o.alpha) +
               " and observed > expected";
    VectorWriter& w = *out.writer;
    {
        const LayerSchema& s = knox_layer_schema();
        const int f_row = s.at("row"), f_col = s.at("col"), f_db = s.at("distance_band"), f_tb = s.at("time_band"),
                  f_dlo = s.at("distance_lo_m"), f_dhi = s.at("distance_hi_m"), f_tlo = s.at("days_lo"),
                  f_thi = s.at("days_hi"), f_obs = s.at("observed"), f_exp = s.at("expected"), f_ratio = s.at("ratio"),
                  f_ge = s.at("perm_ge"), f_p = s.at("p"), f_sig = s.at("significant");
        w.begin_layer(out.knox_layer, GeomType::none, s.fields, r.method);
        for (std::size_t row = 0; row < t.rows; ++row)
            for (std::size_t col = 0; col < t.cols; ++col) {
                const std::size_t c = t.cell(row, col);
                w.set_integer(f_row, std::int64_t(row));
                w.set_integer(f_col, std::int64_t(col));
                w.set_string(f_db, t.row_labels[row]);
                w.set_string(f_tb, t.col_labels[col]);
                w.set_real(f_dlo, t.row_lo_m[row]);
                if (std::isfinite(t.row_hi_m[row])) w.set_real(f_dhi, t.row_hi_m[row]);
                w.set_integer(f_tlo, t.col_lo_days[col]);
                if (col + 1 < t.cols) w.set_integer(f_thi, t.col_hi_days[col]);
                w.set_integer(f_obs, t.observed[c]);
                w.set_real(f_exp, t.expected[c]);
                if (std::isfinite(t.ratio[c])) w.set_real(f_ratio, t.ratio[c]);
                w.set_integer(f_ge, t.perm_ge[c]);
                w.set_real(f_p, t.p[c]);
                w.set_integer(f_sig, t.significant[c]);
                w.write_feature();
            }
    }
    {
        const LayerSchema& s = risk_windows_layer_schema();
        const int f_id = s.at("window_id"), f_n = s.at("incidents"), f_first = s.at("first_date"),
                  f_exp = s.at("expires"), f_dist = s.at("distance_m"), f_days = s.at("days"), f_area = s.at("area_m2");
        w.begin_layer(out.windows_layer, GeomType::multipolygon, s.fields,
                      "Raised-risk windows: " + num(r.window_distance_m) + " m buffers of the incidents of the last " +
                          std::to_string(o.recent_days) + " days to " + iso_date(r.last_day) + ", expiring " +
                          std::to_string(r.window_days) + " days after each incident, merged where they overlap");
        for (const RiskWindow& rw : r.windows) {
            w.set_integer(f_id, rw.window_id);
            w.set_integer(f_n, rw.incidents);
            w.set_string(f_first, iso_date(rw.first_date));
            w.set_string(f_exp, iso_date(rw.expires));
            w.set_real(f_dist, r.window_distance_m);
            w.set_integer(f_days, r.window_days);
            w.set_real(f_area, rw.area_m2);
            w.set_multipolygon(rw.shape);
            w.write_feature();
        }
        r.windows_qml = std::string(style_qml("risk_windows"));
        w.add_style(out.windows_layer, r.windows_qml,
                    "Near-repeat risk windows, labelled with their expiry date; written by hotspot " + std::string(hotspot::version));
    }

    // ---- the manifest node
    NearRepeatManifestNode j;
    j.options = o.to_json();
    j.statistic = "Knox test of space-time interaction (Knox 1964; Johnson et al. 2007)";
    j.time_unit = time_unit;
    j.expected_text = "mean over Monte Carlo permutations of the " + time_unit + " among the incidents, locations fixed";
    j.p_text = "one-sided pseudo p = (1 + #{permutations with count >= observed}) / (1 + R) (Near Repeat Calculator, NearRepeat R package)";
    j.bands = "half-open [lo, hi); same location = distance " +
              std::string(o.bands.same_location_m > 0 ? "< " + num(o.bands.same_location_m) + " m" : "exactly 0") +
              ", kept apart from the first band";
    j.raised_risk_rule = raised_risk_rule();
    j.summary = r.method;
    for (std::size_t row = 0; row < t.rows; ++row)
        for (std::size_t col = 0; col < t.cols; ++col) {
            const std::size_t c = t.cell(row, col);
            j.table.push_back({row, col, t.row_labels[row], t.col_labels[col], t.observed[c], t.expected[c], t.ratio[c], t.p[c],
                               bool(t.significant[c])});
        }
    j.risk_found = r.risk.found, j.risk_distance_m = r.risk.distance_m, j.risk_days = r.risk.days;
    j.window_distance_m = r.window_distance_m, j.window_days = r.window_days;
    j.risk_source = o.risk_distance_m || o.risk_days ? "options" : "Knox table";
    j.counts = {{"rows", r.rows}, {"tested", r.tested}, {"no_date", r.no_date}, {"pairs", t.total_pairs},
                {"close_pairs", t.close_pairs}, {"recent_incidents", r.recent}, {"risk_windows", r.windows.size()}};
    j.first_date = iso_date(r.first_day), j.last_date = iso_date(r.last_day);
    j.sentence = r.sentence;
    j.warnings = r.warnings;
    r.manifest_node = j.to_json();
    return r;
}

nlohmann::ordered_json NearRepeatManifestNode::to_json() const {
    nlohmann::ordered_json j;
    j["options"] = options;
    j["method"] = {{"statistic", statistic}, {"time_unit", time_unit}, {"expected", expected_text}, {"p", p_text},
                   {"bands", bands}, {"raised_risk_rule", raised_risk_rule}, {"summary", summary}};
    nlohmann::ordered_json cells = nlohmann::ordered_json::array();
    for (const KnoxCellNode& c : table)
        cells.push_back({{"row", c.row}, {"col", c.col}, {"distance_band", c.distance_band}, {"time_band", c.time_band},
                         {"observed", c.observed}, {"expected", c.expected},
                         {"ratio", std::isfinite(c.ratio) ? nlohmann::ordered_json(c.ratio) : nlohmann::ordered_json(nullptr)},
                         {"p", c.p}, {"significant", c.significant}});
    j["table"] = cells;
    j["raised_risk"] = {{"found", risk_found}, {"distance_m", risk_distance_m}, {"days", risk_days},
                        {"window_distance_m", window_distance_m}, {"window_days", window_days}, {"source", risk_source}};
    j["counts"] = counts;
    j["period"] = {{"first_date", first_date}, {"last_date", last_date}};
    j["sentence"] = sentence;
    j["warnings"] = warnings;
    return j;
}

NearRepeatManifestNode NearRepeatManifestNode::from_json(const nlohmann::ordered_json& node) {
    using ojson = nlohmann::ordered_json;
    NearRepeatManifestNode n;
    n.options = json_value_or(node, "options", ojson());
    const ojson m = json_value_or(node, "method", ojson::object());
    n.statistic = json_value_or(m, "statistic", std::string());
    n.time_unit = json_value_or(m, "time_unit", std::string("days"));
    n.expected_text = json_value_or(m, "expected", std::string());
    n.p_text = json_value_or(m, "p", std::string());
    n.bands = json_value_or(m, "bands", std::string());
    n.raised_risk_rule = json_value_or(m, "raised_risk_rule", std::string());
    n.summary = json_value_or(m, "summary", std::string());
    for (const auto& c : json_value_or(node, "table", ojson::array())) {
        KnoxCellNode k;
        k.row = json_value_or(c, "row", std::size_t(0));
        k.col = json_value_or(c, "col", std::size_t(0));
        k.distance_band = json_value_or(c, "distance_band", std::string());
        k.time_band = json_value_or(c, "time_band", std::string());
        k.observed = json_value_or(c, "observed", std::int64_t(0));
        k.expected = json_value_or(c, "expected", 0.0);
        k.ratio = json_value_or(c, "ratio", std::numeric_limits<double>::quiet_NaN());
        k.p = json_value_or(c, "p", 1.0);
        k.significant = json_value_or(c, "significant", false);
        n.table.push_back(std::move(k));
    }
    const ojson rr = json_value_or(node, "raised_risk", ojson::object());
    n.risk_found = json_value_or(rr, "found", false);
    n.risk_distance_m = json_value_or(rr, "distance_m", 0.0);
    n.risk_days = json_value_or(rr, "days", std::int64_t(0));
    n.window_distance_m = json_value_or(rr, "window_distance_m", 0.0);
    n.window_days = json_value_or(rr, "window_days", std::int64_t(0));
    n.risk_source = json_value_or(rr, "source", std::string());
    n.counts = json_value_or(node, "counts", ojson());
    const ojson period = json_value_or(node, "period", ojson::object());
    n.first_date = json_value_or(period, "first_date", std::string());
    n.last_date = json_value_or(period, "last_date", std::string());
    n.sentence = json_value_or(node, "sentence", std::string());
    n.warnings = json_value_or(node, "warnings", std::vector<std::string>());
    return n;
}

std::string NearRepeatResult::summary() const {
    std::ostringstream s;
    s << "hotspot near-repeat: " << tested << " incidents tested (" << no_date << " without a date left out), "
      << iso_date(first_day) << " to " << iso_date(last_day) << "\n";
    s << "  " << sentence << "\n";
    if (!windows.empty())
        s << "  " << windows.size() << " risk windows (" << num(window_distance_m) << " m, " << window_days << " days) around the "
          << recent << " most recent incidents\n";
    for (const auto& o : outputs) s << "  wrote " << o << "\n";
    return s.str();
}

} // namespace hotspot

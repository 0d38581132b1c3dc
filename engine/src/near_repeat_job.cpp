#include "hotspot/near_repeat_job.hpp"

#include <geos_c.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numeric>
#include <sstream>

#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/read_manifest.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/version.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

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

} // namespace

DistanceMetric parse_distance_metric(const std::string& name) {
    if (name == "euclidean") return DistanceMetric::euclidean;
    if (name == "manhattan") return DistanceMetric::manhattan;
    throw UsageError(unit, "unknown --distance '" + name + "'; use euclidean or manhattan");
}

void NearRepeatOptions::set_compat_nrc() {
    labels = KnoxLabels::nrc;
    bands.same_location_m = 1;
}

void NearRepeatOptions::validate() const {
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
    if (out.empty()) throw UsageError(unit, "no output given; use --out FILE.gpkg");
    if (fs::path(out).extension() != ".gpkg") throw UsageError(unit, "--out '" + out + "' must end in .gpkg");
    if (what.empty()) throw UsageError(unit, "--what must name the incidents (e.g. burglaries)");
}

std::string NearRepeatOptions::csv_path() const {
    if (!csv.empty()) return csv;
    fs::path p(out);
    return (p.parent_path() / (p.stem().string() + "_knox.csv")).string();
}

nlohmann::ordered_json NearRepeatOptions::to_json() const {
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
    j["threads"] = threads;
    return j;
}

NearRepeatResult run_near_repeat(const NearRepeatOptions& o, const IncidentTable& inc, const Progress& progress) {
    o.validate();
    const std::string csv_path = o.csv_path();
    check_can_write(o.out, o.overwrite, unit);
    check_can_write(csv_path, o.overwrite, unit);
    const std::string first_file = inc.source_files.empty() ? std::string("incidents") : inc.source_files.front();
    if (inc.roles.date < 0 && inc.roles.month >= 0)
        throw InputError(unit, first_file, 0, inc.field_names[std::size_t(inc.roles.month)],
                         "these incidents have months only (police.uk street-level data): the Knox test needs the day "
                         "of each incident, as near repeats last days to weeks. Use the force's own export with an "
                         "offence date (--date FIELD); police.uk files cannot be used for near repeats");

    NearRepeatResult r;
    r.rows = inc.size();
    std::vector<double> x, y;
    std::vector<std::int32_t> days;
    std::vector<std::size_t> source_row;
    for (std::size_t i = 0; i < inc.size(); ++i) {
        if (inc.date_days[i] == no_date) {
            ++r.no_date;
            continue;
        }
        x.push_back(inc.x[i]);
        y.push_back(inc.y[i]);
        days.push_back(inc.date_days[i]);
        source_row.push_back(i);
    }
    r.tested = x.size();
    if (r.tested < 2)
        throw InputError(unit, first_file, 0, inc.roles.date >= 0 ? inc.field_names[std::size_t(inc.roles.date)] : "",
                         std::to_string(r.tested) + " of " + std::to_string(r.rows) +
                             " incidents have a date; the Knox test needs dates: name the date column with --date FIELD");
    if (r.no_date)
        r.warnings.push_back("near-repeat: " + std::to_string(r.no_date) + " of " + std::to_string(r.rows) +
                             " incidents have no readable date and were left out of the Knox test");
    r.first_day = *std::min_element(days.begin(), days.end());
    r.last_day = *std::max_element(days.begin(), days.end());
    {
        std::size_t firsts = 0;
        for (auto d : days) firsts += civil_from_days(d) % 100 == 1;
        if (r.tested >= 30 && firsts == r.tested)
            r.warnings.push_back("near-repeat: every date is the 1st of a month: these look like months only, and the "
                                 "day bands then measure nothing; use an export with offence dates");
    }

    KnoxOptions ko;
    ko.bands = o.bands;
    ko.permutations = o.permutations;
    ko.seed = o.seed;
    ko.threads = o.threads;
    ko.alpha = o.alpha;
    ko.labels = o.labels;
    r.table = knox_test(x, y, days, ko, progress);
    const KnoxResult& t = r.table;
    r.risk = raised_risk(t);

    // ---- the sentence
    {
        std::ostringstream s;
        const std::size_t last_row = r.risk.found ? r.risk.last_row : 1, last_col = r.risk.found ? r.risk.last_col : 0;
        const KnoxBlock blk = knox_block(t, 1, last_row, 0, last_col);
        const double d = t.row_hi_m[last_row];
        const int dd = t.col_hi_days[last_col];
        s << o.what << " within " << num(d) << " m and " << dd << (dd == 1 ? " day" : " days") << " of another were "
          << num(std::round(blk.ratio * 10) / 10) << " times as common as chance (p = " << p_text(blk.p) << ", "
          << t.permutations << " permutations)";
        if (!r.risk.found) s << ": not significant at " << num(o.alpha) << ", no raised-risk window";
        r.sentence = s.str();
    }

    // ---- risk windows
    r.window_distance_m = o.risk_distance_m ? *o.risk_distance_m : (r.risk.found ? r.risk.distance_m : 0);
    r.window_days = o.risk_days ? *o.risk_days : (r.risk.found ? r.risk.days : 0);
    std::vector<Group> groups;
    std::vector<double> rx, ry;
    std::vector<std::int32_t> rd;
    if (o.recent_days > 0 && r.window_distance_m > 0 && r.window_days > 0) {
        const std::int32_t from = r.last_day - o.recent_days + 1;
        for (std::size_t k = 0; k < x.size(); ++k)
            if (days[k] >= from) rx.push_back(x[k]), ry.push_back(y[k]), rd.push_back(days[k]);
        r.recent = rx.size();
        groups = merged_buffers(rx, ry, r.window_distance_m, o.bands.metric == DistanceMetric::manhattan);
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
            r.windows.push_back(w);
        }
    } else if (o.recent_days > 0) {
        r.warnings.push_back("near-repeat: no risk windows: the Knox table shows no significant near repeat in the first "
                             "band; give --risk-distance and --risk-days to draw windows anyway");
    }

    // ---- outputs: the GeoPackage (table + windows), then the CSV
    const std::string method =
        "Knox test, " + std::string(metric_name(o.bands.metric)) + " distance, half-open bands [lo, hi), " +
        std::to_string(t.permutations) + " permutations of the days (seed " + std::to_string(t.seed) +
        "), p = (1 + #perm >= observed) / (1 + R), significant when p <= " + num(o.alpha) + " and observed > expected";
    {
        VectorWriter w(o.out, o.read.working_crs, o.overwrite);
        const std::vector<FieldDef> defs = {
            {"row", FieldType::integer},       {"col", FieldType::integer},         {"distance_band", FieldType::string},
            {"time_band", FieldType::string},  {"distance_lo_m", FieldType::real},  {"distance_hi_m", FieldType::real},
            {"days_lo", FieldType::integer},   {"days_hi", FieldType::integer},     {"observed", FieldType::integer},
            {"expected", FieldType::real},     {"ratio", FieldType::real},          {"perm_ge", FieldType::integer},
            {"p", FieldType::real},            {"significant", FieldType::integer}};
        w.begin_layer("knox", GeomType::none, defs, method);
        for (std::size_t row = 0; row < t.rows; ++row)
            for (std::size_t col = 0; col < t.cols; ++col) {
                const std::size_t c = t.cell(row, col);
                w.set_integer(0, std::int64_t(row));
                w.set_integer(1, std::int64_t(col));
                w.set_string(2, t.row_labels[row]);
                w.set_string(3, t.col_labels[col]);
                w.set_real(4, t.row_lo_m[row]);
                if (std::isfinite(t.row_hi_m[row])) w.set_real(5, t.row_hi_m[row]);
                w.set_integer(6, t.col_lo_days[col]);
                if (col + 1 < t.cols) w.set_integer(7, t.col_hi_days[col]);
                w.set_integer(8, t.observed[c]);
                w.set_real(9, t.expected[c]);
                if (std::isfinite(t.ratio[c])) w.set_real(10, t.ratio[c]);
                w.set_integer(11, t.perm_ge[c]);
                w.set_real(12, t.p[c]);
                w.set_integer(13, t.significant[c]);
                w.write_feature();
            }
        const std::vector<FieldDef> wdefs = {{"window_id", FieldType::integer}, {"incidents", FieldType::integer},
                                             {"first_date", FieldType::string}, {"expires", FieldType::string},
                                             {"distance_m", FieldType::real},   {"days", FieldType::integer},
                                             {"area_m2", FieldType::real}};
        w.begin_layer("risk_windows", GeomType::multipolygon, wdefs,
                      "Raised-risk windows: " + num(r.window_distance_m) + " m buffers of the incidents of the last " +
                          std::to_string(o.recent_days) + " days to " + iso_date(r.last_day) + ", expiring " +
                          std::to_string(r.window_days) + " days after each incident, merged where they overlap");
        for (std::size_t g = 0; g < r.windows.size(); ++g) {
            const RiskWindow& rw = r.windows[g];
            w.set_integer(0, rw.window_id);
            w.set_integer(1, rw.incidents);
            w.set_string(2, iso_date(rw.first_date));
            w.set_string(3, iso_date(rw.expires));
            w.set_real(4, r.window_distance_m);
            w.set_integer(5, r.window_days);
            w.set_real(6, rw.area_m2);
            w.set_multipolygon(groups[g].shape);
            w.write_feature();
        }
        w.add_style("risk_windows", std::string(style_qml("risk_windows")),
                    "Near-repeat risk windows, labelled with their expiry date; written by hotspot " + std::string(hotspot::version));
        w.commit();
        r.outputs.push_back(o.out);
    }
    {
        std::ostringstream s;
        s << "row,col,distance_band,time_band,distance_lo_m,distance_hi_m,days_lo,days_hi,observed,expected,ratio,perm_ge,p,significant\n";
        for (std::size_t row = 0; row < t.rows; ++row)
            for (std::size_t col = 0; col < t.cols; ++col) {
                const std::size_t c = t.cell(row, col);
                s << row << ',' << col << ',' << csv_quote(t.row_labels[row]) << ',' << csv_quote(t.col_labels[col]) << ','
                  << num(t.row_lo_m[row]) << ',' << (std::isfinite(t.row_hi_m[row]) ? num(t.row_hi_m[row]) : "") << ','
                  << t.col_lo_days[col] << ',' << (col + 1 < t.cols ? std::to_string(t.col_hi_days[col]) : "") << ','
                  << t.observed[c] << ',' << num(t.expected[c]) << ',' << (std::isfinite(t.ratio[c]) ? num(t.ratio[c]) : "")
                  << ',' << t.perm_ge[c] << ',' << num(t.p[c]) << ',' << int(t.significant[c]) << '\n';
            }
        write_text_atomic(csv_path, s.str(), o.overwrite, unit);
        r.outputs.push_back(csv_path);
    }

    // ---- the manifest node
    auto& j = r.manifest_node;
    j["options"] = o.to_json();
    j["method"] = {{"statistic", "Knox test of space-time interaction (Knox 1964; Johnson et al. 2007)"},
                   {"expected", "mean over Monte Carlo permutations of the days among the incidents, locations fixed"},
                   {"p", "one-sided pseudo p = (1 + #{permutations with count >= observed}) / (1 + R) (Near Repeat Calculator, NearRepeat R package)"},
                   {"bands", "half-open [lo, hi); same location = distance " +
                                 std::string(o.bands.same_location_m > 0 ? "< " + num(o.bands.same_location_m) + " m" : "exactly 0") +
                                 ", kept apart from the first band"},
                   {"raised_risk_rule", raised_risk_rule()},
                   {"summary", method}};
    nlohmann::ordered_json cells = nlohmann::ordered_json::array();
    for (std::size_t row = 0; row < t.rows; ++row)
        for (std::size_t col = 0; col < t.cols; ++col) {
            const std::size_t c = t.cell(row, col);
            cells.push_back({{"distance_band", t.row_labels[row]}, {"time_band", t.col_labels[col]},
                             {"observed", t.observed[c]}, {"expected", t.expected[c]},
                             {"ratio", std::isfinite(t.ratio[c]) ? nlohmann::ordered_json(t.ratio[c]) : nlohmann::ordered_json(nullptr)},
                             {"p", t.p[c]}, {"significant", bool(t.significant[c])}});
        }
    j["table"] = cells;
    j["raised_risk"] = {{"found", r.risk.found}, {"distance_m", r.risk.distance_m}, {"days", r.risk.days},
                        {"window_distance_m", r.window_distance_m}, {"window_days", r.window_days},
                        {"source", o.risk_distance_m || o.risk_days ? "options" : "Knox table"}};
    j["counts"] = {{"rows", r.rows}, {"tested", r.tested}, {"no_date", r.no_date}, {"pairs", t.total_pairs},
                   {"close_pairs", t.close_pairs}, {"recent_incidents", r.recent}, {"risk_windows", r.windows.size()}};
    j["period"] = {{"first_date", iso_date(r.first_day)}, {"last_date", iso_date(r.last_day)}};
    j["sentence"] = r.sentence;
    j["warnings"] = r.warnings;
    return r;
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

NearRepeatResult run_near_repeat_job(const NearRepeatOptions& o, const Progress& progress) {
    o.validate();
    const auto t0 = std::chrono::steady_clock::now();
    const std::string manifest_path =
        command_manifest_path(o.out, o.manifest_path);
    check_can_write(manifest_path, o.overwrite, unit);
    if (o.read.paths.empty()) throw UsageError(unit, "no incidents given; use --incidents FILE");
    const ReadResult read = read_incidents(o.read, progress);
    NearRepeatResult r = run_near_repeat(o, read.incidents, progress);
    for (const auto& w : read.warnings) r.warnings.insert(r.warnings.begin(), w);
    Manifest manifest("near-repeat", o.command_line);
    auto& j = manifest.json();
    for (auto it = r.manifest_node.begin(); it != r.manifest_node.end(); ++it) j[it.key()] = it.value();
    add_read(manifest, read, o.read.working_crs);
    manifest.add_output("near_repeat", o.out);
    manifest.add_output("knox_csv", o.csv_path());
    manifest.add_timing("total", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    manifest.write(manifest_path, o.overwrite);
    r.outputs.push_back(manifest_path);
    return r;
}

} // namespace hotspot

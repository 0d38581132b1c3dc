#include "hotspot/config.hpp"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "hotspot/bandwidth.hpp"
#include "hotspot/error.hpp"
#include "hotspot/hotspots.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

bool check_bandwidth_rule(const std::string& rule) {
    try {
        return parse_bandwidth_method(rule) != BandwidthMethod::fixed;
    } catch (const UsageError&) {
        return false;
    }
}

constexpr const char* unit = "config";

struct Ctx {
    std::string file;
    fs::path dir;

    [[noreturn]] void fail(const toml::node& n, const std::string& key, const std::string& what) const {
        throw InputError(unit, file, n.source().begin.line, key, what);
    }
    [[noreturn]] void fail_line(std::uint64_t line, const std::string& key, const std::string& what) const {
        throw InputError(unit, file, line, key, what);
    }

    void only(const toml::table& t, const std::string& where, std::initializer_list<const char*> allowed) const {
        for (auto&& [k, v] : t) {
            bool ok = false;
            for (const char* a : allowed) ok = ok || k.str() == a;
            if (!ok) {
                std::string list;
                for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
                fail(v, where + std::string(k.str()), "unknown key; the keys allowed here are: " + list);
            }
        }
    }

    std::string path(const std::string& p) const {
        if (p.empty() || p.rfind("PG:", 0) == 0 || fs::path(p).is_absolute()) return p;
        return (dir / p).lexically_normal().string();
    }

    std::optional<std::string> str(const toml::table& t, const char* key, const std::string& where = "") const {
        const toml::node* n = t.get(key);
        if (!n) return std::nullopt;
        if (auto v = n->value<std::string>()) return *v;
        fail(*n, where + key, "must be a text value in quotes");
    }
    std::optional<double> num(const toml::table& t, const char* key, const std::string& where = "") const {
        const toml::node* n = t.get(key);
        if (!n) return std::nullopt;
        if (auto v = n->value<double>()) return *v;
        fail(*n, where + key, "must be a number");
    }
    std::optional<bool> boolean(const toml::table& t, const char* key, const std::string& where = "") const {
        const toml::node* n = t.get(key);
        if (!n) return std::nullopt;
        if (auto v = n->value<bool>()) return *v;
        fail(*n, where + key, "must be true or false");
    }
    std::vector<std::string> strings(const toml::table& t, const char* key, const std::string& where = "") const {
        const toml::node* n = t.get(key);
        if (!n) return {};
        if (auto s = n->value<std::string>()) return {*s};
        const toml::array* a = n->as_array();
        if (!a) fail(*n, where + key, "must be a list of text values, e.g. [\"a\", \"b\"]");
        std::vector<std::string> out;
        for (auto&& e : *a) {
            auto v = e.value<std::string>();
            if (!v) fail(e, where + key, "every entry must be a text value in quotes");
            out.push_back(*v);
        }
        return out;
    }
    // A number in (lo, hi], or [lo, hi] when lo_inclusive; refused with its line otherwise.
    std::optional<double> ranged(const toml::table& t, const char* key, const std::string& where, double lo,
                                 bool lo_inclusive, double hi, const std::string& rule) const {
        const auto v = num(t, key);
        if (!v) return v;
        if (!std::isfinite(*v) || (lo_inclusive ? *v < lo : *v <= lo) || *v > hi)
            fail(*t.get(key), where + key, "must be " + rule + " (got " + shown(*v) + ")");
        return v;
    }
    // A whole number in [lo, hi], checked before any conversion (1e12 or -1 into an int or an
    // unsigned would be undefined or wrap).
    std::optional<std::int64_t> integer(const toml::table& t, const char* key, const std::string& where,
                                        std::int64_t lo, std::int64_t hi) const {
        const toml::node* n = t.get(key);
        if (!n) return std::nullopt;
        const std::string rule = "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
        if (auto i = n->value_exact<std::int64_t>()) {
            if (*i < lo || *i > hi) fail(*n, where + key, "must be " + rule + " (got " + std::to_string(*i) + ")");
            return *i;
        }
        if (auto d = n->value_exact<double>()) {
            if (!std::isfinite(*d) || *d != std::floor(*d) || *d < double(lo) || *d > double(hi))
                fail(*n, where + key, "must be " + rule + " (got " + shown(*d) + ")");
            return std::int64_t(*d);
        }
        fail(*n, where + key, "must be " + rule);
    }
    static std::string shown(double v) {
        std::ostringstream o;
        o.precision(12);
        o << v;
        return o.str();
    }
    const toml::table* table(const toml::table& t, const char* key) const {
        const toml::node* n = t.get(key);
        if (!n) return nullptr;
        if (const toml::table* tt = n->as_table()) return tt;
        fail(*n, key, "must be a table ([" + std::string(key) + "])");
    }
};

// Layer names of a GeoPackage are case-blind ("Ward" and "ward" are one table).
bool same_name(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

Period read_period(const Ctx& c, const toml::table& root, const char* key) {
    Period p;
    if (const toml::table* t = c.table(root, key)) {
        c.only(*t, std::string(key) + ".", {"from", "to"});
        p.from = c.str(*t, "from", std::string(key) + ".").value_or("");
        p.to = c.str(*t, "to", std::string(key) + ".").value_or("");
        // Validated through the profile filter's date rules (the same texts).
        Filter f;
        f.date_from = p.from;
        f.date_to = p.to;
        Profile probe;
        probe.name = "period-check";
        probe.title = "period";
        probe.filter = f;
        try {
            validate(probe);
        } catch (const UsageError& e) {
            c.fail(*t, key, std::string("is not a valid period: ") + e.what() + " (use YYYY-MM or YYYY-MM-DD)");
        }
    }
    return p;
}

} // namespace

std::string Period::describe() const {
    if (empty()) return "all dates";
    return (from.empty() ? "the start" : from) + " to " + (to.empty() ? "the end" : to);
}

void RunConfig::validate() const {
    if (output_dir.empty()) throw UsageError(unit, "no output folder: set output = \"...\" or give --out");
    if (incidents.paths.empty()) throw UsageError(unit, "no incidents: set [incidents] paths or give --incidents");
    if (areas.empty()) throw UsageError(unit, "no area layers: add an [[areas]] table or give --areas");
    if (profiles.empty()) throw UsageError(unit, "no profiles: set profiles = [...] (see `hotspot profiles`)");
    if (publish_min_count < 1) throw UsageError(unit, "publish.min_count must be at least 1");
    if (analysis.permutations < 0 || analysis.permutations > 99999)
        throw UsageError(unit, "analysis.permutations must be between 0 and 99999");
    if (analysis.ci != "exact" && analysis.ci != "byar")
        throw UsageError(unit, "analysis.ci must be \"exact\" or \"byar\" (got \"" + analysis.ci + "\")");
    for (std::size_t i = 0; i < areas.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (same_name(areas[i].spec.name, areas[j].spec.name))
                throw UsageError(unit, "two area layers are named '" + areas[i].spec.name +
                                           "'; give each --areas / [[areas]] its own name");
    bool found = study_area_layer.empty();
    for (const auto& a : areas) found = found || a.spec.name == study_area_layer;
    if (!found) throw UsageError(unit, "study_area.layer '" + study_area_layer + "' is not one of the [[areas]] names");
    for (const auto& p : profiles) hotspot::validate(p);
}

RunConfig parse_run_config(const std::string& text, const std::string& config_path) {
    Ctx c{config_path, fs::path(config_path).parent_path()};
    toml::table root;
    try {
        root = toml::parse(text, config_path);
    } catch (const toml::parse_error& e) {
        throw InputError(unit, config_path, e.source().begin.line, "",
                         std::string(e.description()) + "; check the TOML syntax on that line");
    }
    c.only(root, "", {"title", "area_name", "output", "working_crs", "profiles", "profile_files", "report",
                      "incidents", "areas", "study_area", "period", "comparison", "analysis", "publish",
                      "attribution", "marking", "author"});
    RunConfig cfg;
    cfg.config_path = config_path;
    cfg.title = c.str(root, "title").value_or("Hot spot analysis");
    cfg.area_name = c.str(root, "area_name").value_or("");
    if (auto o = c.str(root, "output")) cfg.output_dir = c.path(*o);
    cfg.working_crs = c.str(root, "working_crs").value_or("EPSG:27700");
    cfg.report = c.boolean(root, "report").value_or(false);
    cfg.marking = c.str(root, "marking").value_or("");
    cfg.author = c.str(root, "author").value_or("");
    if (root.get("attribution")) cfg.attribution = c.strings(root, "attribution");

    if (const toml::table* t = c.table(root, "incidents")) {
        c.only(*t, "incidents.", {"paths", "x", "y", "crs", "id", "category", "offence_code", "date", "time",
                                  "location_type", "mo", "keep_outliers", "street",
                                  "postcode", "postcodes", "postcodes_previous", "where"});
        for (auto& p : c.strings(*t, "paths", "incidents.")) cfg.incidents.paths.push_back(c.path(p));
        ReadOptions& r = cfg.incidents;
        r.x_field = c.str(*t, "x").value_or("");
        r.y_field = c.str(*t, "y").value_or("");
        r.crs = c.str(*t, "crs").value_or("");
        r.id_field = c.str(*t, "id").value_or("");
        r.category_field = c.str(*t, "category").value_or("");
        r.offence_code_field = c.str(*t, "offence_code").value_or("");
        r.date_field = c.str(*t, "date").value_or("");
        r.time_field = c.str(*t, "time").value_or("");
        r.location_type_field = c.str(*t, "location_type").value_or("");
        r.mo_field = c.str(*t, "mo").value_or("");
        r.street_field = c.str(*t, "street").value_or("");
        r.screen_outliers = !c.boolean(*t, "keep_outliers").value_or(false);
        r.postcode_field = c.str(*t, "postcode").value_or("");
        r.where = c.str(*t, "where").value_or("");
        for (auto& p : c.strings(*t, "postcodes", "incidents.")) r.postcode_files.push_back(c.path(p));
        for (auto& p : c.strings(*t, "postcodes_previous", "incidents.")) r.postcode_previous_files.push_back(c.path(p));
    }
    cfg.incidents.working_crs = cfg.working_crs;

    if (const toml::node* n = root.get("areas")) {
        const toml::array* a = n->as_array();
        if (!a || !a->is_array_of_tables()) c.fail(*n, "areas", "must be [[areas]] tables");
        for (auto&& e : *a) {
            const toml::table& t = *e.as_table();
            c.only(t, "areas.", {"name", "path", "code_field", "name_field", "population", "population_code",
                                 "population_value", "population_field", "lookup", "where"});
            AreaConfig ac;
            auto name = c.str(t, "name", "areas.");
            auto path = c.str(t, "path", "areas.");
            if (!name || !path) c.fail(e, "areas", "each [[areas]] needs a name and a path");
            for (const auto& earlier : cfg.areas)
                if (same_name(earlier.spec.name, *name))
                    c.fail(*t.get("name"), "areas.name", "two [[areas]] are named '" + *name +
                                                             "'; give each area layer its own name");
            ac.spec = AreaSpec::parse(*name + "=" + c.path(*path));
            ac.spec.code_field = c.str(t, "code_field").value_or("");
            ac.spec.name_field = c.str(t, "name_field").value_or("");
            if (auto p = c.str(t, "population")) ac.population_path = c.path(*p);
            ac.population_code_column = c.str(t, "population_code").value_or("");
            ac.population_value_column = c.str(t, "population_value").value_or("");
            ac.population_field = c.str(t, "population_field").value_or("");
            if (auto p = c.str(t, "lookup")) ac.lookup_path = c.path(*p);
            ac.spec.where = c.str(t, "where").value_or("");
            cfg.areas.push_back(std::move(ac));
        }
    }
    if (const toml::table* t = c.table(root, "study_area")) {
        c.only(*t, "study_area.", {"layer"});
        cfg.study_area_layer = c.str(*t, "layer").value_or("");
    }
    cfg.period = read_period(c, root, "period");
    cfg.comparison = read_period(c, root, "comparison");

    // Profiles: built-in names, then files.
    if (const toml::node* n = root.get("profiles")) {
        for (auto& name : c.strings(root, "profiles")) {
            const Profile* p = find_builtin(name);
            if (!p) {
                std::string list;
                for (auto& b : builtin_profiles()) list += (list.empty() ? "" : ", ") + b.name;
                c.fail(*n, "profiles", "no built-in profile named '" + name + "'; built-ins: " + list +
                                           " (or add a file to profile_files)");
            }
            cfg.profiles.push_back(*p);
        }
    }
    for (auto& f : c.strings(root, "profile_files")) {
        const std::string p = c.path(f);
        std::ifstream in(p, std::ios::binary);
        if (!in) throw InputError(unit, config_path, 0, "profile_files", "cannot read profile file " + p);
        std::ostringstream s;
        s << in.rdbuf();
        cfg.profiles.push_back(parse_profile_toml(s.str(), p));
    }

    if (const toml::table* t = c.table(root, "analysis")) {
        c.only(*t, "analysis.", {"kernel", "bandwidth", "cell_m", "gistar_cell_m", "gistar_band_m", "permutations",
                                 "seed", "hotspot_threshold", "ci", "reference_rate", "snap_m",
                                 "heat_min_incidents", "hotspot_min_incidents", "hotspot_max_area_m2", "hotspot_numbered",
                                 "hotspot_saddle_drop", "backtest", "extent"});
        RunAnalysis& a = cfg.analysis;
        a.kernel = c.str(*t, "kernel");
        if (const toml::node* b = t->get("bandwidth")) {
            if (auto v = b->value<double>()) {
                if (!(*v > 0) || !std::isfinite(*v))
                    c.fail(*b, "analysis.bandwidth", "must be metres > 0 or \"auto:METHOD\" (got " + Ctx::shown(*v) + ")");
                a.bandwidth_m = *v;
            }
            else if (auto s = b->value<std::string>()) {
                // The kde step's one grammar (steps/kde_step.hpp): "auto" = auto:ppl, auto:<rule>.
                if (*s != "auto" && *s != "auto:backtest" && (s->rfind("auto:", 0) != 0 || !check_bandwidth_rule(s->substr(5))))
                    c.fail(*b, "analysis.bandwidth",
                           "must be metres or \"auto:RULE\" (scott, silverman, arcgis, ppl, backtest), got \"" + *s + "\"");
                a.bandwidth_auto = *s == "auto" ? "ppl" : s->substr(5);
            } else c.fail(*b, "analysis.bandwidth", "must be metres or \"auto:METHOD\"");
        }
        // Every value is checked here, with its line, before any work (issue 14).
        const std::string an = "analysis.";
        const double big = 1e6;  // metres: 1,000 km
        a.cell_m = c.ranged(*t, "cell_m", an, 0, false, big, "metres > 0");
        if (const toml::node* e = t->get("extent")) {
            const toml::array* arr = e->as_array();
            double v[4] = {};
            bool ok = arr && arr->size() == 4;
            for (std::size_t i = 0; ok && i < 4; ++i) {
                const auto n = (*arr)[i].value<double>();
                ok = n && std::isfinite(*n);
                if (ok) v[i] = *n;
            }
            if (!ok || !(v[0] < v[2] && v[1] < v[3]))
                c.fail(*e, "analysis.extent", "must be [xmin, ymin, xmax, ymax] in metres with xmin < xmax and ymin < ymax");
            if (!a.cell_m)
                c.fail(*e, "analysis.extent", "needs analysis.cell_m (the default cell depends on the extent, so tiles "
                                              "would not share one grid)");
            a.extent = Bounds{v[0], v[1], v[2], v[3]};
        }
        a.gistar_cell_m = c.ranged(*t, "gistar_cell_m", an, 0, false, big, "metres > 0 (leave it out for the default)")
                              .value_or(0);
        a.gistar_band_m = c.ranged(*t, "gistar_band_m", an, 0, false, big, "metres > 0");
        a.permutations = int(c.integer(*t, "permutations", an, 0, 99999).value_or(0));
        a.seed = std::uint64_t(c.integer(*t, "seed", an, 0, std::int64_t(1) << 53).value_or(std::int64_t(RunAnalysis{}.seed)));
        a.hotspot_threshold = c.str(*t, "hotspot_threshold").value_or(HotspotOptions{}.threshold_text());
        a.hotspot_min_incidents = std::uint64_t(c.integer(*t, "hotspot_min_incidents", an, 1, 1'000'000)
                                                    .value_or(std::int64_t(HotspotOptions{}.min_incidents)));
        a.hotspot_max_area_m2 = c.ranged(*t, "hotspot_max_area_m2", an, 0, false, 1e12, "m² > 0")
                                    .value_or(HotspotOptions{}.max_area_m2);
        a.hotspot_saddle_drop = c.ranged(*t, "hotspot_saddle_drop", an, 0, true, 1, "a share of the peak, 0 to 1")
                                    .value_or(HotspotOptions{}.min_saddle_drop);
        a.backtest = c.boolean(*t, "backtest").value_or(true);
        if (!a.backtest && a.bandwidth_auto == "backtest")
            c.fail(*t->get("backtest"), "analysis.backtest",
                   "is false, but bandwidth = \"auto:backtest\" chooses the bandwidth by the backtest; set backtest = "
                   "true or give the bandwidth in metres");
        a.hotspot_numbered = int(c.integer(*t, "hotspot_numbered", an, 0, 10'000).value_or(HotspotOptions{}.max_numbered));
        try {
            if (HotspotOptions::parse(a.hotspot_threshold).value < 0)
                throw UsageError("hotspots", "the threshold must not be negative");
        } catch (const UsageError& e) {
            c.fail(*t->get("hotspot_threshold"), "analysis.hotspot_threshold",
                   std::string(e.what()) + " (e.g. \"area:1\", \"top:5\", \"sd:2\", \"value:10\")");
        }
        a.ci = c.str(*t, "ci").value_or("exact");
        if (a.ci != "exact" && a.ci != "byar")
            c.fail(*t->get("ci"), "analysis.ci", "must be \"exact\" or \"byar\" (got \"" + a.ci + "\")");
        a.reference_rate_per_1000 = c.ranged(*t, "reference_rate", an, 0, false, 1e6, "a rate per 1,000 > 0");
        a.snap_m = c.ranged(*t, "snap_m", an, 0, true, big, "metres >= 0").value_or(0);
        if (const auto k = c.integer(*t, "heat_min_incidents", an, 1, 1000000)) a.heat_min_incidents = int(*k);
    }
    if (const toml::table* t = c.table(root, "publish")) {
        c.only(*t, "publish.", {"enabled", "min_count", "round"});
        cfg.publish = c.boolean(*t, "enabled").value_or(false);
        cfg.publish_min_count = int(c.integer(*t, "min_count", "publish.", 1, 1000000).value_or(5));
        cfg.publish_round = int(c.integer(*t, "round", "publish.", 1, 1000000).value_or(5));
    }
    return cfg;
}

RunConfig read_run_config(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw InputError(unit, path, "is a folder, not a config file; give the .toml file (e.g. examples/demo.toml)");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(unit, path, "cannot be read; check the path of the config file");
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) throw InputError(unit, path, "cannot be read; check the path of the config file");
    if (s.str().find_first_not_of(" \t\r\n") == std::string::npos)
        throw InputError(unit, path, "is empty; a run config needs at least [incidents], [[areas]] and output "
                                     "(see examples/demo.toml)");
    return parse_run_config(s.str(), path);
}

} // namespace hotspot

// Publish mode played by the reader (issue 21, disclosure.hpp): a publish-mode pack of the demo
// town (and of the Leicestershire months when the shared data is there) is attacked with what
// it publishes, and the truth comes from the same run without --publish.
//  (1) no statistic derived from a hidden count is present: rates layers and stdout;
//  (2) differencing along ward = sum of its LSOAs and study area = sum of wards, in each period,
//      substituting every recovered value until nothing changes, recovers no hidden count;
//  (3) no connected patch of non-zero density cells rests on fewer than the threshold's incidents;
//  (4) the Gi* cells carry no z or p, every published cell holds at least the threshold, and
//      the z raster holds no value (so no least-squares solve has anything to work with).
#include <catch2/catch.hpp>
#include <cmath>
#include <gdal.h>
#include <map>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <regex>
#include <set>
#include <sstream>

#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

constexpr int kMin = 5;

struct Area {
    std::optional<long> n, cn;  // published counts (period, comparison)
    std::optional<long> change; // published change (period - comparison)
    std::string parent;         // the ward holding the LSOA (reader's geometry), or ""
};

fs::path run_pack(const std::string& config, const std::string& name, const std::string& extra, std::string* out = nullptr) {
    const auto dir = test::fresh_dir(name);
    const auto r = test::run_cli("run '" + config + "' --out '" + dir.string() + "' " + extra);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    if (out) *out = r.out;
    return dir;
}

std::optional<long> int_field(OGRFeatureH f, int i) {
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i)) return std::nullopt;
    return long(OGR_F_GetFieldAsInteger64(f, i));
}

// code -> counts of one rates layer, and the (1) check on every derived field
std::map<std::string, Area> read_rates(const fs::path& gpkg, const std::string& layer, bool publish, std::size_t& hidden) {
    static const std::vector<const char*> derived = {"rate_per_1000", "ci95_lower", "ci95_upper", "ci998_lower", "ci998_upper",
                                                     "expected", "ratio", "class_level", "choynowski_p", "change"};
    static const std::vector<const char*> pooled = {"lisa_i", "lisa_z", "lisa_p", "lisa_p_corrected", "gi_z", "gi_p",
                                                    "gi_p_corrected", "gi_bin", "eb_rate_per_1000"};
    std::map<std::string, Area> out;
    std::vector<std::vector<bool>> pooled_set;
    hidden = 0;
    test::for_each_feature(gpkg, layer, [&](OGRFeatureH f, const test::FieldIndex& idx) {
        Area a;
        a.n = int_field(f, idx("incidents"));
        a.cn = int_field(f, idx("comparison_incidents"));
        a.change = int_field(f, idx("change"));
        const std::string code = OGR_F_GetFieldAsString(f, idx("code"));
        if (publish && !a.n) {
            ++hidden;
            for (const char* d : derived) {
                INFO(layer << " " << code << " " << d);
                CHECK_FALSE(int_field(f, idx(d)).has_value());
                if (idx(d) >= 0) CHECK_FALSE(OGR_F_IsFieldSetAndNotNull(f, idx(d)));
            }
            CHECK(std::string(OGR_F_GetFieldAsString(f, idx("rate_class"))) == "suppressed");
        }
        if (publish && a.n && !a.cn && idx("change") >= 0) CHECK_FALSE(OGR_F_IsFieldSetAndNotNull(f, idx("change")));
        if (publish && a.n) CHECK(*a.n >= kMin);
        std::vector<bool> ps;
        for (const char* d : pooled) ps.push_back(idx(d) >= 0 && OGR_F_IsFieldSetAndNotNull(f, idx(d)));
        pooled_set.push_back(ps);
        out[code] = a;
    });
    if (publish && hidden)  // a layer with a hidden area publishes no pooled statistic at all
        for (const auto& ps : pooled_set)
            for (bool b : ps) CHECK_FALSE(b);
    return out;
}

// The reader's geometry: the ward that holds a point on each LSOA's surface.
std::map<std::string, std::string> lsoa_wards(const fs::path& gpkg, const std::string& wl, const std::string& ll) {
    std::vector<std::pair<std::string, OGRGeometryH>> wards;
    test::for_each_feature(gpkg, wl, [&](OGRFeatureH f, const test::FieldIndex& idx) {
        wards.emplace_back(OGR_F_GetFieldAsString(f, idx("code")), OGR_G_Clone(OGR_F_GetGeometryRef(f)));
    });
    std::map<std::string, std::string> out;
    test::for_each_feature(gpkg, ll, [&](OGRFeatureH f, const test::FieldIndex& idx) {
        OGRGeometryH pt = OGR_G_PointOnSurface(OGR_F_GetGeometryRef(f));
        for (const auto& [code, g] : wards)
            if (pt && OGR_G_Contains(g, pt)) {
                out[OGR_F_GetFieldAsString(f, idx("code"))] = code;
                break;
            }
        if (pt) OGR_G_DestroyGeometry(pt);
    });
    for (auto& [c, g] : wards) OGR_G_DestroyGeometry(g);
    return out;
}

// (2) Differencing to a fixed point over linear equations sum(coef x var) = rhs (parent = sum of
// children along each hierarchy; period - comparison = published change): every equation with
// one unknown is solved and the value substituted, until nothing changes. Returns the hidden
// cells so determined (when `truth` holds the cell, only a value equal to it counts; else only a
// value below the threshold: one at or above it, e.g. a hot spot's comparison count from its
// count and change, was published in effect).
struct Equation {
    std::vector<std::pair<std::string, long>> terms;
    long rhs = 0;
};
std::size_t difference(std::map<std::string, std::optional<long>> known, const std::vector<Equation>& eqs,
                       const std::map<std::string, long>& truth) {
    std::size_t recovered = 0;
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& e : eqs) {
            std::vector<std::pair<std::string, long>> unknown;
            long rest = e.rhs;
            for (const auto& [v, c] : e.terms)
                if (known[v]) rest -= c * *known[v];
                else unknown.emplace_back(v, c);
            if (unknown.size() != 1) continue;
            const auto& [u, c] = unknown[0];
            const long v = rest / c;
            known[u] = v;
            changed = true;
            if (truth.count(u) ? truth.at(u) == v : v < kMin) ++recovered;  // no truth: a value below the threshold
        }
    }
    return recovered;
}

// parent = sum of children as equations: children - parent = 0
void add_sums(std::vector<Equation>& eqs, const std::map<std::string, std::vector<std::string>>& eq) {
    for (const auto& [parent, children] : eq) {
        Equation e;
        e.terms.emplace_back(parent, -1);
        for (const auto& c : children) e.terms.emplace_back(c, 1);
        eqs.push_back(e);
    }
}

// (3) Connected patches of non-zero cells of a GeoTIFF resting on fewer than kMin of `pts`
// within `radius` of their cells.
std::size_t thin_patches(const fs::path& tif, const std::vector<std::pair<double, double>>& pts, double radius) {
    const test::Band1 band = test::read_band1(tif);
    const auto& v = band.v;
    const auto& gt = band.gt;
    const int cols = band.cols, rows = band.rows;
    std::vector<int> label(v.size(), -1);
    std::size_t thin = 0;
    const auto on = [&](std::size_t i) { return std::isfinite(v[i]) && v[i] != 0 && v[i] != -9999.0f; };  // -9999: nodata
    for (std::size_t s0 = 0; s0 < v.size(); ++s0) {
        if (!on(s0) || label[s0] >= 0) continue;
        std::vector<std::size_t> stack{s0};
        std::set<std::size_t> contributors;
        label[s0] = 1;
        while (!stack.empty()) {
            const std::size_t q = stack.back();
            stack.pop_back();
            const int r = int(q / std::size_t(cols)), c = int(q % std::size_t(cols));
            const double x = gt[0] + (c + 0.5) * gt[1], y = gt[3] + (r + 0.5) * gt[5];
            for (std::size_t i = 0; i < pts.size() && contributors.size() < std::size_t(kMin); ++i)
                if (std::hypot(pts[i].first - x, pts[i].second - y) < radius) contributors.insert(i);
            for (int dr = -1; dr <= 1; ++dr)
                for (int dc = -1; dc <= 1; ++dc) {
                    const int rr = r + dr, cc = c + dc;
                    if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
                    const auto n = std::size_t(rr) * std::size_t(cols) + std::size_t(cc);
                    if (on(n) && label[n] < 0) label[n] = 1, stack.push_back(n);
                }
        }
        thin += contributors.size() < std::size_t(kMin);
    }
    return thin;
}

bool has_layer(const fs::path& gpkg, const std::string& layer) {
    GDALDatasetH ds = GDALOpenEx(gpkg.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    const bool has = ds && GDALDatasetGetLayerByName(ds, layer.c_str());
    if (ds) GDALClose(ds);
    return has;
}

void play_the_reader(const std::string& config, const std::string& tag, const std::string& extra) {
    std::string pub_out;
    const auto open_dir = run_pack(config, tag + "-open", extra);
    const auto pub_dir = run_pack(config, tag + "-publish", extra + " --publish", &pub_out);
    const auto open_gpkg = open_dir / "hotspot_run.gpkg", pub_gpkg = pub_dir / "hotspot_run.gpkg";
    const auto m = nlohmann::json::parse(test::read_file(pub_dir / "manifest.json"));
    const auto om = nlohmann::json::parse(test::read_file(open_dir / "manifest.json"));
    const auto parents = lsoa_wards(pub_gpkg, "boundaries_ward", "boundaries_lsoa");
    REQUIRE(parents.size() > 0);
    std::size_t total_hidden = 0;
    for (std::size_t pi = 0; pi < m["profiles"].size(); ++pi) {
        const auto& p = m["profiles"][pi];
        const std::string name = p["name"];
        const std::string ps = std::regex_replace(name, std::regex("-"), "_");
        INFO(name);
        if (p.value("selected", 0) == 0) continue;
        // the audit and self-check
        REQUIRE(p.contains("disclosure"));
        CHECK(std::string(p["disclosure"]["self_check"]).rfind("passed", 0) == 0);
        // (1) and the tables
        std::size_t hw = 0, hl = 0, ow = 0, ol = 0;
        const auto wards = read_rates(pub_gpkg, ps + "_ward_rates", true, hw);
        const auto lsoas = read_rates(pub_gpkg, ps + "_lsoa_rates", true, hl);
        const auto owards = read_rates(open_gpkg, ps + "_ward_rates", false, ow);
        const auto olsoas = read_rates(open_gpkg, ps + "_lsoa_rates", false, ol);
        total_hidden += hw + hl;
        // (2) differencing along the hierarchy in each period and between the periods (one system:
        // P:/C: cells, ward = sum of its LSOAs, total = sum of wards, period - comparison = the
        // published change); the totals are known (sums of the open wards)
        {
            std::map<std::string, std::optional<long>> known;
            std::map<std::string, long> truth;
            std::vector<Equation> eqs;
            const bool comparing = owards.begin()->second.cn.has_value();
            for (int period = 0; period < (comparing ? 2 : 1); ++period) {
                const std::string P = period ? "C:" : "P:";
                std::map<std::string, std::vector<std::string>> eq;
                long total = 0;
                for (const auto& [c, a] : owards) {
                    const long t = period ? a.cn.value_or(0) : a.n.value_or(0);
                    truth[P + "W" + c] = t, total += t;
                    known[P + "W" + c] = period ? wards.at(c).cn : wards.at(c).n;
                    eq[P + "TOTAL"].push_back(P + "W" + c);
                }
                known[P + "TOTAL"] = total;
                truth[P + "TOTAL"] = total;
                for (const auto& [c, a] : olsoas) {
                    truth[P + "L" + c] = period ? a.cn.value_or(0) : a.n.value_or(0);
                    known[P + "L" + c] = period ? lsoas.at(c).cn : lsoas.at(c).n;
                    if (parents.count(c)) eq[P + "W" + parents.at(c)].push_back(P + "L" + c);
                }
                // an equation the reader checks on the open pack would hold (nesting): keep those only
                for (auto it = eq.begin(); it != eq.end();) {
                    long sum = 0;
                    for (const auto& c : it->second) sum += truth[c];
                    it = truth[it->first] == sum ? std::next(it) : eq.erase(it);
                }
                add_sums(eqs, eq);
            }
            std::size_t links = 0;
            for (const auto* layer : {&wards, &lsoas})
                for (const auto& [c, a] : *layer)
                    if (a.change) {
                        const std::string v = (layer == &wards ? "W" : "L") + c;
                        eqs.push_back({{{"P:" + v, 1}, {"C:" + v, -1}}, *a.change});
                        ++links;
                        CHECK((a.n && a.cn));  // a change only where both counts are published
                    }
            CHECK((links > 0 || !comparing));
            CHECK(difference(known, eqs, truth) == 0);
        }
        // (2) the numbered hot spots: their count (polygons), both periods' counts and the change
        // (direction of travel table), one system; no hidden count is determined, and every
        // published count is at least the threshold, with no test of a hidden one
        {
            std::map<std::string, std::optional<long>> known;
            std::vector<Equation> eqs;
            std::size_t spots = 0;
            test::for_each_feature(pub_gpkg, ps + "_hotspots", [&](OGRFeatureH f, const test::FieldIndex& idx) {
                const std::string r = OGR_F_GetFieldAsString(f, idx("rank"));
                const auto n = int_field(f, idx("incidents"));
                const auto ch = int_field(f, idx("change"));
                if (n) {
                    CHECK(*n >= kMin);
                    known["P:H" + r] = n;
                }
                if (ch) eqs.push_back({{{"P:H" + r, 1}, {"C:H" + r, -1}}, *ch});
                ++spots;
                // the streets' counts: none below the threshold
                const std::string streets = OGR_F_GetFieldAsString(f, idx("streets"));
                static const std::regex num(R"(\((\d[\d,]*)\))");
                for (std::sregex_iterator it(streets.begin(), streets.end(), num), end; it != end; ++it) {
                    INFO(streets);
                    CHECK(std::stol(std::regex_replace((*it)[1].str(), std::regex(","), "")) >= kMin);
                }
            });
            if (spots && has_layer(pub_gpkg, ps + "_hotspots_change"))
                test::for_each_feature(pub_gpkg, ps + "_hotspots_change", [&](OGRFeatureH f, const test::FieldIndex& idx) {
                    const std::string r = OGR_F_GetFieldAsString(f, idx("code"));
                    const auto n = int_field(f, idx("period_count")), c = int_field(f, idx("comparison_count"));
                    INFO("hot spot " << r);
                    if (n) {
                        CHECK(*n >= kMin);
                        known["P:H" + r] = n;
                    }
                    if (c) {
                        CHECK(*c >= kMin);
                        known["C:H" + r] = c;
                    }
                    if (!n || !c)
                        for (const char* d : {"pct_change", "rate_ratio", "p", "class_level", "mk_s", "sen_slope_per_month"})
                            CHECK_FALSE(OGR_F_IsFieldSetAndNotNull(f, idx(d)));
                });
            for (const auto& e : eqs)
                for (const auto& t : e.terms)
                    if (!known.count(t.first)) known[t.first] = std::nullopt;
            CHECK(difference(known, eqs, {}) == 0);
        }
        // (3) density patches
        std::vector<std::pair<double, double>> pts;
        test::for_each_feature(open_gpkg, ps + "_incidents", [&](OGRFeatureH f, const test::FieldIndex&) {
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            if (g) pts.emplace_back(OGR_G_GetX(g, 0), OGR_G_GetY(g, 0));
        });
        const double radius = p["kde"]["support_radius_m"];
        CHECK(double(p["kde"]["bandwidth_m"]) >= 300);
        CHECK(thin_patches(pub_dir / (ps + "_kde.tif"), pts, radius) == 0);
        if (fs::exists(pub_dir / (ps + "_kde_change.tif")))  // the change: at least the period's share
            CHECK(thin_patches(pub_dir / (ps + "_kde_change.tif"), pts, radius) == 0);
        // (4) Gi* cells: counts at or above the threshold only, no z or p; no z raster values
        std::size_t cells = 0;
        test::for_each_feature(pub_gpkg, ps + "_gistar_cells", [&](OGRFeatureH f, const test::FieldIndex& idx) {
            ++cells;
            const auto n = int_field(f, idx("count"));
            REQUIRE(n.has_value());
            CHECK(*n >= kMin);
            CHECK_FALSE(OGR_F_IsFieldSetAndNotNull(f, idx("z")));
            CHECK_FALSE(OGR_F_IsFieldSetAndNotNull(f, idx("p")));
        });
        GDALDatasetH zs = GDALOpen((pub_dir / (ps + "_gistar_z.tif")).c_str(), GA_ReadOnly);
        REQUIRE(zs);
        const int zc = GDALGetRasterXSize(zs), zr = GDALGetRasterYSize(zs);
        std::vector<float> z(std::size_t(zc) * std::size_t(zr));
        REQUIRE(GDALRasterIO(GDALGetRasterBand(zs, 1), GF_Read, 0, 0, zc, zr, z.data(), zc, zr, GDT_Float32, 0, 0) == CE_None);
        int has_nodata = 0;
        const double nd = GDALGetRasterNoDataValue(GDALGetRasterBand(zs, 1), &has_nodata);
        GDALClose(zs);
        std::size_t zvalues = 0;
        for (float q : z) zvalues += std::isfinite(q) && !(has_nodata && q == float(nd));
        CHECK(zvalues == 0);
        // (5) emerging hot spot cells (when the run drew them): no count, and only cells whose open
        // count (the same run without --publish) reaches the threshold
        if (p.contains("emerging") && p["emerging"].contains("publish")) {
            std::map<std::pair<long, long>, long> open_count;
            test::for_each_feature(open_gpkg, ps + "_emerging", [&](OGRFeatureH f, const test::FieldIndex& idx) {
                open_count[{int_field(f, idx("col")).value_or(-1), int_field(f, idx("row")).value_or(-1)}] =
                    int_field(f, idx("count")).value_or(-1);
            });
            std::size_t shown = 0;
            test::for_each_feature(pub_gpkg, ps + "_emerging", [&](OGRFeatureH f, const test::FieldIndex& idx) {
                ++shown;
                CHECK_FALSE(OGR_F_IsFieldSetAndNotNull(f, idx("count")));
                const auto it = open_count.find({int_field(f, idx("col")).value_or(-1), int_field(f, idx("row")).value_or(-1)});
                REQUIRE(it != open_count.end());
                CHECK(it->second >= kMin);
            });
            CHECK(shown + std::size_t(p["emerging"]["publish"]["cells_withheld"].get<long>()) <= open_count.size());
        }
        (void)om;
    }
    CHECK(total_hidden > 0);  // the pack did hide something
    if (fs::exists(pub_dir / "report.html")) {  // the cover states the policy
        const std::string html = test::read_file(pub_dir / "report.html");
        CHECK(html.substr(0, html.find("Key findings")).find("This version is for publication.") != std::string::npos);
    }
    // (1) on stdout: a hidden area's line carries no rate, interval or class
    std::istringstream lines(pub_out);
    for (std::string line; std::getline(lines, line);)
        if (line.find(": <" + std::to_string(kMin)) != std::string::npos) {
            INFO(line);
            CHECK(line.find('[') == std::string::npos);
            CHECK(line.find(',') == std::string::npos);
        }
}

} // namespace

TEST_CASE("publish mode: the demo pack withstands the reader (derived statistics, differencing, density, Gi*)",
          "[cli-disclosure]") {
    play_the_reader((test::source_dir() / "examples" / "demo.toml").string(), "disclosure-demo", "--profiles drug-possession");
}

TEST_CASE("publish mode: the Leicestershire pack withstands the reader", "[cli-disclosure-leics]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    play_the_reader((test::source_dir() / "examples" / "leicestershire.toml").string(), "disclosure-leics",
                    "--profiles drug-possession");
}

// End to end: `hotspot run examples/demo.toml` on the demo town, checked against the town's
// ground truth (planted hot spot centres and the wards they were planted in), read back
// independently with OGR/GEOS.

#include <catch2/catch.hpp>
#include <cmath>
#include <gdal.h>
#include <map>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <regex>
#include <set>
#include <sstream>

#include "hotspot/csv.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

struct Planted {
    std::string id, profile, ward;
    double x, y;
};

std::vector<Planted> planted() {
    const std::string path = (test::source_dir() / "shapes" / "demo" / "ground_truth_hotspots.csv").string();
    const std::string text = test::read_file(path);
    CsvReader r(text, path);
    std::vector<std::string_view> f;
    r.next(f);
    std::vector<Planted> out;
    while (r.next(f)) {
        std::string profile(f[1]);
        std::replace(profile.begin(), profile.end(), '_', '-');
        out.push_back({std::string(f[0]), profile, std::string(f[6]), std::stod(std::string(f[2])), std::stod(std::string(f[3]))});
    }
    return out;
}

struct Gpkg {
    GDALDatasetH ds = nullptr;
    explicit Gpkg(const fs::path& p) {
        GDALAllRegister();
        ds = GDALOpenEx(p.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    }
    ~Gpkg() {
        if (ds) GDALClose(ds);
    }
    OGRLayerH layer(const std::string& name) const { return GDALDatasetGetLayerByName(ds, name.c_str()); }
};

// Value of `field` of the features of `layer` containing (x, y) (GEOS through OGR).
std::vector<std::string> values_at(OGRLayerH layer, double x, double y, const char* field) {
    OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(pt, 0, x, y);
    std::vector<std::string> out;
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (g && OGR_G_Contains(g, pt)) out.emplace_back(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, field)));
        OGR_F_Destroy(f);
    }
    OGR_G_DestroyGeometry(pt);
    return out;
}

fs::path run_demo(const std::string& name, const std::string& extra = "") {
    const auto dir = test::fresh_dir(name);
    const auto r = test::run_cli("run '" + (test::source_dir() / "examples" / "demo.toml").string() + "' --out '" +
                                 dir.string() + "' " + extra);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return dir;
}

} // namespace

TEST_CASE("run: the demo pack finds every planted hot spot", "[cli-run]") {
    const auto dir = run_demo("cli-run-demo");
    const Gpkg g(dir / "hotspot_run.gpkg");
    REQUIRE(g.ds);
    const auto truth = planted();
    REQUIRE(truth.size() >= 5);
    for (const auto& h : truth) {
        INFO("planted " << h.id << " (" << h.profile << ") at " << h.x << ", " << h.y);
        const std::string p = std::regex_replace(h.profile, std::regex("-"), "_");
        // inside one of the profile's top three hot spot polygons
        OGRLayerH hs = g.layer(p + "_hotspots");
        REQUIRE(hs);
        const auto ranks = values_at(hs, h.x, h.y, "rank");
        REQUIRE(ranks.size() == 1);
        CHECK(std::stoi(ranks[0]) <= 3);
        // in a 99% Gi* hot cell
        OGRLayerH gi = g.layer(p + "_gistar_cells");
        REQUIRE(gi);
        const auto bins = values_at(gi, h.x, h.y, "gi_bin");
        REQUIRE(bins.size() == 1);
        CHECK(bins[0] == "3");
        // the planted ward is significantly above the town's rate (profiles with a population denominator)
        OGRLayerH rates = g.layer(p + "_ward_rates");
        REQUIRE(rates);
        const auto cls = values_at(rates, h.x, h.y, "rate_class");
        REQUIRE(cls.size() == 1);
        const auto codes = values_at(rates, h.x, h.y, "code");
        CHECK(codes[0] == h.ward);
        if (h.profile != "public-place-violence") CHECK(cls[0] == "significantly above");
    }
}

TEST_CASE("run: every layer is styled and the QGIS project references only what exists", "[cli-run]") {
    const auto dir = run_demo("cli-run-styles");
    const Gpkg g(dir / "hotspot_run.gpkg");
    REQUIRE(g.ds);
    std::set<std::string> styled;
    OGRLayerH styles = g.layer("layer_styles");
    REQUIRE(styles);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(styles)) != nullptr) {
        if (OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "useAsDefault")) == 1) {
            CHECK(styled.insert(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "f_table_name"))).second);
            CHECK(std::string(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "styleQML"))).find("<qgis") != std::string::npos);
        }
        OGR_F_Destroy(f);
    }
    int spatial = 0;
    for (int i = 0; i < GDALDatasetGetLayerCount(g.ds); ++i) {
        OGRLayerH l = GDALDatasetGetLayer(g.ds, i);
        const std::string name = OGR_L_GetName(l);
        if (name == "layer_styles" || OGR_L_GetGeomType(l) == wkbNone) continue;
        ++spatial;
        INFO(name);
        CHECK(styled.count(name) == 1);
    }
    CHECK(spatial >= 4 * 5 + 2);  // boundaries + per profile: hotspots, gistar, 2 rates, incidents

    // every datasource in the project exists (and GeoPackage layers exist in the file)
    const std::string qgs = test::read_file(dir / "hotspot_run.qgs");
    const std::regex ds_re("<datasource>([^<]*)</datasource>");
    int sources = 0;
    for (auto it = std::sregex_iterator(qgs.begin(), qgs.end(), ds_re); it != std::sregex_iterator(); ++it) {
        const std::string src = (*it)[1];
        const auto bar = src.find("|layername=");
        const fs::path file = dir / src.substr(0, bar);
        INFO(src);
        CHECK(fs::exists(file));
        if (bar != std::string::npos) CHECK(g.layer(src.substr(bar + 11)) != nullptr);
        ++sources;
    }
    CHECK(sources > 10);
    // a sidecar style for every raster
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".tif") CHECK(fs::exists(fs::path(e.path()).replace_extension(".qml")));
    const auto m = nlohmann::json::parse(test::read_file(dir / "manifest.json"));
    CHECK(m["profiles"].size() == 4);
    CHECK(m["counts"]["rows_in"] == 10008);
}

TEST_CASE("run: a period that gives no profile any incident is an input error; nothing written", "[cli-run]") {
    const auto dir = test::fresh_dir("cli-run-empty");
    const auto r = test::run_cli("run '" + (test::source_dir() / "examples" / "demo.toml").string() + "' --out '" +
                                 (dir / "pack").string() + "' --period-from 2030-01 --period-to 2030-12 --profiles drug-possession");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);  // was 0, with a pack of nothing
    CHECK(r.err.find("no profile selects any incident in 2030-01") != std::string::npos);
    CHECK(r.err.find("--period-from") != std::string::npos);
    CHECK(r.err.find("nothing was written") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "pack" / "hotspot_run.gpkg"));
    CHECK_FALSE(fs::exists(dir / "pack" / "manifest.json"));
}

TEST_CASE("run: a grid too big for one machine is refused before any analysis, naming the key and a cell that fits", "[cli-run]") {
    // The demo config with 0.3 m density cells: ~3e9 cells over the town's wards (limit 4e8).
    const auto dir = test::fresh_dir("cli-run-grid-too-big");
    std::string cfg = test::read_file((test::source_dir() / "examples" / "demo.toml").string());
    const auto at = cfg.find("cell_m = 25 ");
    REQUIRE(at != std::string::npos);
    cfg.replace(at, 12, "cell_m = 0.3 ");
    for (std::size_t i; (i = cfg.find("\"../shapes/")) != std::string::npos;)
        cfg.replace(i, 11, "\"" + (test::source_dir() / "shapes").string() + "/");
    const auto toml = dir / "huge.toml";
    test::write_file(toml.string(), cfg);
    const auto r = test::run_cli("run " + test::quoted(toml.string()) + " --out " + test::quoted((dir / "pack").string()));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("huge.toml") != std::string::npos);
    CHECK(r.err.find("refused before any analysis") != std::string::npos);
    CHECK(r.err.find("analysis.cell_m") != std::string::npos);
    // the cell it suggests does fit: the study area's cells at that size are within the limit
    const std::regex suggest("analysis\\.cell_m = ([0-9.]+) or more");
    std::smatch m;
    REQUIRE(std::regex_search(r.err, m, suggest));
    const double cell = std::stod(m[1]);
    CHECK(cell > 0.3);
    const std::regex size("over the study area \\(([0-9]+) x ([0-9]+) km\\)");
    REQUIRE(std::regex_search(r.err, m, size));
    const double w = std::stod(m[1]) * 1000 + 1000, h = std::stod(m[2]) * 1000 + 1000;  // rounded: +1 km each way
    CHECK(std::ceil(w / cell) * std::ceil(h / cell) <= 4e8 * 1.15);
    CHECK_FALSE(fs::exists(dir / "pack" / "hotspot_run.gpkg"));
    CHECK_FALSE(fs::exists(dir / "pack" / "manifest.json"));
}

TEST_CASE("run: --x --y --date --time --category --id name a partner file's columns, as the config's incidents keys do", "[cli-run]") {
    // The demo incidents with their columns renamed to names nothing auto-detects.
    const auto dir = test::fresh_dir("cli-run-column-flags");
    std::string text = test::read_file((test::source_dir() / "shapes" / "demo" / "incidents.csv").string());
    const std::string header = "incident_id,offence_code,category,offence_description,date,time,easting,northing,";
    REQUIRE(text.rfind(header, 0) == 0);
    text.replace(0, header.size(), "ref,offence_code,kind,offence_description,reported,at,e_m,n_m,");
    const auto renamed = dir / "partner.csv";
    test::write_file(renamed, text);
    const std::string demo = test::quoted((test::source_dir() / "examples" / "demo.toml").string());
    const auto a = test::run_cli("run " + demo + " --profiles drug-possession,public-place-violence --out " + test::quoted((dir / "a").string()));
    INFO(a.out << a.err);
    REQUIRE(a.exit_code == 0);
    const auto b = test::run_cli("run " + demo + " --profiles drug-possession,public-place-violence --incidents " + test::quoted(renamed.string()) +
                                 " --x e_m --y n_m --date reported --time at --category kind --id ref --out " + test::quoted((dir / "b").string()));
    INFO(b.out << b.err);
    REQUIRE(b.exit_code == 0);
    const auto ma = nlohmann::json::parse(test::read_file(dir / "a" / "manifest.json"));
    const auto mb = nlohmann::json::parse(test::read_file(dir / "b" / "manifest.json"));
    CHECK(ma["counts"]["kept"] == mb["counts"]["kept"]);
    CHECK(ma["counts"]["rejected"] == mb["counts"]["rejected"]);
    REQUIRE(ma["profiles"].size() == 2);
    REQUIRE(mb["profiles"].size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(ma["profiles"][i]["selected"].get<int>() > 0);
        CHECK(ma["profiles"][i]["selected"] == mb["profiles"][i]["selected"]);
        CHECK(ma["profiles"][i]["selected_comparison"] == mb["profiles"][i]["selected_comparison"]);
    }
    // without --date the renamed file has no dates: the period cannot select it (the flag matters)
    const auto c = test::run_cli("run " + demo + " --profiles drug-possession --incidents " + test::quoted(renamed.string()) +
                                 " --x e_m --y n_m --category kind --id ref --out " + test::quoted((dir / "c").string()));
    INFO(c.out << c.err);
    CHECK(c.exit_code != 0);
}

TEST_CASE("run: a profile that selects nothing says so in the summary and writes nothing for it", "[cli-run]") {
    const auto dir = test::fresh_dir("cli-run-empty-profile");
    // only the drug possession offences (92D, 92E) of the demo town: car key burglary selects none
    std::istringstream in(test::read_file(test::source_dir() / "shapes" / "demo" / "incidents.csv"));
    std::string line, drugs;
    std::getline(in, line);
    drugs = line + "\n";
    while (std::getline(in, line))
        if (line.find(",92D,") != std::string::npos || line.find(",92E,") != std::string::npos) drugs += line + "\n";
    test::write_file(dir / "drugs.csv", drugs);
    const auto r = test::run_cli("run '" + (test::source_dir() / "examples" / "demo.toml").string() + "' --incidents '" +
                                 (dir / "drugs.csv").string() + "' --out '" + (dir / "pack").string() +
                                 "' --profiles drug-possession,car-key-burglary");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("car-key-burglary selects no incidents") != std::string::npos);
    const auto car = r.out.find("(car-key-burglary): 0 incidents selected\n   no incidents in the period: nothing was written");
    CHECK(car != std::string::npos);
    CHECK(r.out.find("top hot spots ()") == std::string::npos);
    // one "top hot spots" line: the drug possession profile's only
    std::size_t tops = 0;
    for (auto at = r.out.find("top hot spots"); at != std::string::npos; at = r.out.find("top hot spots", at + 1)) ++tops;
    CHECK(tops == 1);
    CHECK_FALSE(fs::exists(dir / "pack" / "car_key_burglary_kde.tif"));
    CHECK(fs::exists(dir / "pack" / "drug_possession_kde.tif"));
    const Gpkg g(dir / "pack" / "hotspot_run.gpkg");
    CHECK(g.layer("car_key_burglary_hotspots") == nullptr);
    CHECK(g.layer("drug_possession_hotspots") != nullptr);
}

TEST_CASE("run: config errors name the file, line and key", "[cli-run]") {
    const auto dir = test::fresh_dir("cli-run-config");
    test::write_file(dir / "bad.toml", "title = \"x\"\noutput = \"out\"\nprofilez = [\"all-crime\"]\n");
    const auto r = test::run_cli("run '" + (dir / "bad.toml").string() + "'");
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("bad.toml:3") != std::string::npos);
    CHECK(r.err.find("profilez") != std::string::npos);
    test::write_file(dir / "bad2.toml", "output = \"out\"\nprofiles = [\"car-key-burglaryy\"]\n");
    const auto r2 = test::run_cli("run '" + (dir / "bad2.toml").string() + "'");
    CHECK(r2.exit_code == 3);
    CHECK(r2.err.find("car-key-burglary,") != std::string::npos);  // lists the built-ins
}

TEST_CASE("run: real Tamworth wards and LSOAs, every ward named", "[cli-run][data]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    const auto b = test::shared_data() / "boundaries";
    const auto dir = test::fresh_dir("cli-run-tamworth");
    // The demo town lies where Tamworth is (around SK 21 04), so its incidents overlay the real wards.
    test::write_file(dir / "tamworth.toml",
                     "title = \"Tamworth\"\noutput = \"out\"\nprofiles = [\"drug-possession\", \"all-crime\"]\n"
                     "[incidents]\npaths = [\"" + (test::source_dir() / "shapes/demo/incidents.csv").string() + "\"]\ncrs = \"EPSG:27700\"\n"
                     "[[areas]]\nname = \"ward\"\npath = \"" + (b / "tamworth_wards.geojson").string() + "\"\ncode_field = \"WD13CD\"\nname_field = \"WD13NM\"\n"
                     "population = \"" + (test::shared_data() / "population/ward_population_derived.csv").string() + "\"\n"
                     "population_code = \"WD13CD\"\npopulation_value = \"population_bestfit\"\n"
                     "[[areas]]\nname = \"lsoa\"\npath = \"" + (b / "tamworth_lsoa.geojson").string() + "\"\ncode_field = \"LSOA11CD\"\nname_field = \"LSOA11NM\"\n"
                     "population = \"" + (test::shared_data() / "population/lsoa_population.csv").string() + "\"\n");
    const auto r = test::run_cli("run '" + (dir / "tamworth.toml").string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const Gpkg g(dir / "out" / "hotspot_run.gpkg");
    OGRLayerH l = g.layer("all_crime_ward_rates");
    REQUIRE(l);
    std::set<std::string> names;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != nullptr) {
        names.insert(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "name")));
        CHECK(OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "population")) > 1000);
        OGR_F_Destroy(f);
    }
    CHECK(names == std::set<std::string>{"Amington", "Belgrave", "Bolehall", "Castle", "Glascote", "Mercian",
                                         "Spital", "Stonydelph", "Trinity", "Wilnecote"});
    // the demo's drugs hot spot sits in the centre of town: the real Castle ward is top by rate
    CHECK(r.out.find("top wards by rate per 1,000") != std::string::npos);
}

TEST_CASE("run: the heat map shades no cell fewer than k incidents reach; publish mode raises k", "[cli-run]") {
    // k = 3 by default, the disclosure threshold (5) in publish mode (issue 15): checked by brute
    // force on the written GeoTIFF against the profile's incidents (from the non-publish pack).
    const auto open_dir = run_demo("cli-run-heat");
    const auto pub_dir = run_demo("cli-run-heat-publish", "--publish");
    const Gpkg g(open_dir / "hotspot_run.gpkg");
    REQUIRE(g.ds);
    for (const auto& [dir, k] : {std::pair{open_dir, 3}, std::pair{pub_dir, 5}}) {
        const auto m = nlohmann::json::parse(test::read_file(dir / "manifest.json"));
        for (const auto& p : m["profiles"]) {
            const std::string name = p["name"];
            const std::string ps = std::regex_replace(name, std::regex("-"), "_");
            INFO(dir.string() << " " << name);
            const auto& heat = p["kde"]["heat_classes"];
            CHECK(heat["min_incidents"] == k);
            const double floor = heat["floor"], radius = p["kde"]["support_radius_m"];
            std::vector<std::pair<double, double>> pts;
            OGRLayerH il = g.layer(ps + "_incidents");
            REQUIRE(il);
            OGR_L_ResetReading(il);
            while (OGRFeatureH f = OGR_L_GetNextFeature(il)) {
                OGRGeometryH geom = OGR_F_GetGeometryRef(f);
                pts.emplace_back(OGR_G_GetX(geom, 0), OGR_G_GetY(geom, 0));
                OGR_F_Destroy(f);
            }
            const test::Band1 band = test::read_band1(dir / (ps + "_kde.tif"));
            const auto& v = band.v;
            const auto& gt = band.gt;
            const int cols = band.cols, rows = band.rows;
            std::size_t shaded = 0, bad = 0;
            for (int r = 0; r < rows; ++r)
                for (int c = 0; c < cols; ++c) {
                    const double val = v[std::size_t(r) * std::size_t(cols) + std::size_t(c)];
                    if (!(val > floor)) continue;
                    ++shaded;
                    const double x = gt[0] + (c + 0.5) * gt[1], y = gt[3] + (r + 0.5) * gt[5];
                    int n = 0;
                    for (const auto& [px, py] : pts) n += std::hypot(px - x, py - y) < radius;
                    bad += n < k;
                }
            CHECK(shaded > 0);
            CHECK(bad == 0);

            // No hot spot rests on fewer than k incidents either: counted by brute force, the
            // profile's incidents (open pack) inside each hot spot polygon of this pack.
            const Gpkg h(dir / "hotspot_run.gpkg");
            OGRLayerH hl = h.layer(ps + "_hotspots");
            if (!hl) continue;  // a profile without hot spot polygons
            OGR_L_ResetReading(hl);
            std::size_t spots = 0;
            while (OGRFeatureH f = OGR_L_GetNextFeature(hl)) {
                OGRGeometryH poly = OGR_F_GetGeometryRef(f);
                int n = 0;
                for (const auto& [px, py] : pts) {
                    OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
                    OGR_G_SetPoint_2D(pt, 0, px, py);
                    n += OGR_G_Intersects(poly, pt) ? 1 : 0;
                    OGR_G_DestroyGeometry(pt);
                }
                CHECK(n >= k);
                ++spots;
                OGR_F_Destroy(f);
            }
            if (dir == pub_dir) CHECK(spots > 0);
        }
    }
}

TEST_CASE("run: areas without population for a profile that wants rates say so, naming the level and the flag", "[cli-run]") {
    const auto dir = test::fresh_dir("cli-run-no-population");
    // the demo config with its population lines left out and its relative paths made absolute
    std::istringstream in(test::read_file(test::source_dir() / "examples" / "demo.toml"));
    std::string line, toml;
    while (std::getline(in, line)) {
        if (line.rfind("population", 0) == 0) continue;
        for (auto at = line.find("\"../"); at != std::string::npos; at = line.find("\"../"))
            line.replace(at, 4, "\"" + test::source_dir().string() + "/");
        toml += line + "\n";
    }
    test::write_file(dir / "nopop.toml", toml);
    const auto r = test::run_cli("run '" + (dir / "nopop.toml").string() + "' --out '" + (dir / "pack").string() +
                                 "' --profiles all-crime --report");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    for (const std::string level : {"ward", "lsoa"}) {
        INFO(level);
        CHECK(r.err.find("profile all-crime wants rates per 1,000 residents, but area level '" + level +
                         "' has no population") != std::string::npos);
        CHECK(r.err.find("add --population " + level + "=CSV") != std::string::npos);
    }
    CHECK(r.out.find("top wards by count") != std::string::npos);  // counts, not rates
    const auto m = nlohmann::json::parse(test::read_file(dir / "pack" / "manifest.json"));
    std::size_t said = 0;
    for (const auto& w : m["profiles"][0]["warnings"]) said += w.get<std::string>().find("has no population") != std::string::npos;
    CHECK(said == 2);
    // the report shows the counts page
    CHECK(test::read_file(dir / "pack" / "report.html").find("Wards: incidents, ranked") != std::string::npos);
}

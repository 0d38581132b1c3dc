// The real-data acceptance run (issue 10): `hotspot run examples/leicestershire.toml` on the 29
// months of Leicestershire police.uk files, checked against counts made here, independently of
// the engine: the CSV text split by a few lines of code below, police.uk's own LSOA codes, the
// population files, and each LSOA's ward found by OGR from its centroid.

#include <algorithm>
#include <catch2/catch.hpp>
#include <gdal.h>
#include <map>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <regex>
#include <set>
#include <unordered_set>

#include "support.hpp"

namespace fs = std::filesystem;
using namespace hotspot;

namespace {

// The config's period (examples/leicestershire.toml); the manifest must echo it.
constexpr const char* period_from = "2021-05";
constexpr const char* period_to = "2022-04";

// A CSV line split on commas outside double quotes (quotes dropped, CR dropped).
std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> f;
    std::string cur;
    bool q = false;
    for (char c : line) {
        if (c == '"') q = !q;
        else if (c == ',' && !q) { f.push_back(cur); cur.clear(); }
        else if (c != '\r') cur += c;
    }
    f.push_back(cur);
    return f;
}

// Data lines of a CSV file (header skipped, CR dropped).
std::vector<std::string> data_lines(const fs::path& p) {
    const std::string text = test::read_file(p);
    std::vector<std::string> out;
    std::size_t pos = text.find('\n') + 1;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(std::move(line));
        pos = end + 1;
    }
    return out;
}

std::string thousands(std::uint64_t v) {
    std::string s = std::to_string(v);
    for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(std::size_t(i), ",");
    return s;
}

std::uint64_t number(const std::string& s) {
    std::string d;
    for (char c : s) if (c != ',') d += c;
    return std::stoull(d);
}

// code -> value of column `value_col` of a population CSV.
std::map<std::string, double> population(const fs::path& p, std::size_t code_col, std::size_t value_col) {
    std::map<std::string, double> m;
    for (const auto& line : data_lines(p)) {
        const auto f = split(line);
        if (f.size() > std::max(code_col, value_col)) m[f[code_col]] = std::stod(f[value_col]);
    }
    return m;
}

// The lines of one profile's block of the run summary ("== Title (name): ...").
std::string block(const std::string& summary, const std::string& name) {
    const auto at = summary.find("(" + name + "): ");
    if (at == std::string::npos) return "";
    const auto end = summary.find("\n== ", at);
    return summary.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// The code of the first area listed under "top LEVELs by rate per 1,000" in a block.
std::string top_code(const std::string& blk, const std::string& level) {
    const std::regex re("top " + level + "s by rate per 1,000[^\\n]*\\n[^\\n]*\\((E\\d{8})\\): ([\\d,]+), ([\\d.]+)");
    std::smatch m;
    return std::regex_search(blk, m, re) ? m[1].str() + " " + m[2].str() + " " + m[3].str() : "";
}

struct Ogr {
    GDALDatasetH ds = nullptr;
    explicit Ogr(const fs::path& p) {
        GDALAllRegister();
        ds = GDALOpenEx(p.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    }
    ~Ogr() {
        if (ds) GDALClose(ds);
    }
    OGRLayerH layer(int i = 0) const { return GDALDatasetGetLayer(ds, i); }
    OGRLayerH layer(const std::string& name) const { return GDALDatasetGetLayerByName(ds, name.c_str()); }
};

// LSOA code -> the code of the ward that contains the LSOA's centroid (point on surface when
// the centroid falls in no ward). Both layers are in the same CRS (CRS84).
std::map<std::string, std::string> ward_of_lsoa(const fs::path& lsoa_path, const fs::path& ward_path, int& fallbacks) {
    struct Ward { std::string code; OGRGeometryH g; OGREnvelope env; };
    std::vector<Ward> wards;
    const Ogr wl(ward_path);
    REQUIRE(wl.ds);
    OGRFeatureH f;
    OGR_L_ResetReading(wl.layer());
    while ((f = OGR_L_GetNextFeature(wl.layer())) != nullptr) {
        Ward w{OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "WD13CD")), OGR_G_Clone(OGR_F_GetGeometryRef(f)), {}};
        OGR_G_GetEnvelope(w.g, &w.env);
        wards.push_back(w);
        OGR_F_Destroy(f);
    }
    auto find = [&](OGRGeometryH pt) -> std::string {
        const double x = OGR_G_GetX(pt, 0), y = OGR_G_GetY(pt, 0);
        for (const auto& w : wards)
            if (x >= w.env.MinX && x <= w.env.MaxX && y >= w.env.MinY && y <= w.env.MaxY && OGR_G_Contains(w.g, pt))
                return w.code;
        return "";
    };
    std::map<std::string, std::string> out;
    const Ogr ll(lsoa_path);
    REQUIRE(ll.ds);
    OGR_L_ResetReading(ll.layer());
    fallbacks = 0;
    while ((f = OGR_L_GetNextFeature(ll.layer())) != nullptr) {
        const std::string code = OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "LSOA11CD"));
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        OGRGeometryH c = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_Centroid(g, c);
        std::string ward = find(c);
        OGR_G_DestroyGeometry(c);
        if (ward.empty()) {
            ++fallbacks;
            OGRGeometryH s = OGR_G_PointOnSurface(g);
            if (s) {
                ward = find(s);
                OGR_G_DestroyGeometry(s);
            }
        }
        out[code] = ward;
        OGR_F_Destroy(f);
    }
    for (auto& w : wards) OGR_G_DestroyGeometry(w.g);
    return out;
}

template <class Map>
std::pair<std::string, double> top_rate(const Map& counts, const std::map<std::string, double>& pop) {
    std::pair<std::string, double> best{"", -1};
    for (const auto& [code, n] : counts) {
        const auto p = pop.find(code);
        if (p == pop.end() || p->second <= 0) continue;
        const double rate = double(n) / p->second * 1000.0;
        if (rate > best.second || (rate == best.second && code < best.first)) best = {code, rate};
    }
    return best;
}

} // namespace

TEST_CASE("leicestershire: the 29-month acceptance run names the top drugs LSOA and all-crime ward",
          "[data-leics]") {
    // The example reaches the data by a path relative to itself (../../shared/data from
    // examples/), so it needs the folder beside the checkout, whatever HOTSPOT_SHARED_DATA says.
    const fs::path data = test::source_dir().parent_path() / "shared" / "data";
    if (test::shared_data().empty() || !fs::exists(data / "police_uk" / "leicestershire")) {
        WARN("skipped: shared data not found (../shared/data beside the checkout)");
        return;
    }
    const auto dir = test::fresh_dir("data-leics-run");
    const auto r = test::run_cli("run '" + (test::source_dir() / "examples" / "leicestershire.toml").string() +
                                 "' --out '" + dir.string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string& s = r.out;
    const auto m = nlohmann::json::parse(test::read_file(dir / "manifest.json"));
    REQUIRE(m["run"]["period"]["from"] == period_from);
    REQUIRE(m["run"]["period"]["to"] == period_to);

    // ---- independent counts from the CSV text
    const fs::path folder = data / "police_uk" / "leicestershire";
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(folder))
        if (e.path().extension() == ".csv") files.push_back(e.path());
    REQUIRE(files.size() == 29);
    std::uint64_t rows = 0, no_location = 0, duplicates = 0, far_away = 0, drugs = 0, all_crime = 0, all_crime_cmp = 0;
    std::map<std::string, std::uint64_t> drugs_by_lsoa, crime_by_lsoa;
    std::unordered_set<std::string> seen;
    for (const auto& p : files) {
        for (const auto& line : data_lines(p)) {
            ++rows;
            const auto f = split(line);
            REQUIRE(f.size() == 12);
            // Month, ..., Longitude, Latitude, Location, LSOA code, LSOA name, Crime type, ...
            if (f[4].empty() || f[5].empty()) {
                ++no_location;
                continue;
            }
            if (!seen.insert(line).second) ++duplicates;  // identical to an earlier located row
            const double lon = std::stod(f[4]), lat = std::stod(f[5]);
            // well outside the force's wards (lon -1.60..-0.43, lat 52.39..52.98)
            if (lon < -1.7 || lon > -0.3 || lat < 52.3 || lat > 53.1) ++far_away;
            if (f[1] >= "2020-05" && f[1] <= "2021-04" && f[9] != "Anti-social behaviour") ++all_crime_cmp;  // the comparison year
            if (f[1] < period_from || f[1] > period_to) continue;
            if (f[9] == "Drugs") {
                ++drugs;
                ++drugs_by_lsoa[f[7]];
            }
            if (f[9] != "Anti-social behaviour") {
                ++all_crime;
                ++crime_by_lsoa[f[7]];
            }
        }
    }

    // ---- every row accounted for, in the summary and the manifest
    const std::regex recon(R"(rows_in = assigned \+ outside \+ rejected: ([\d,]+) = ([\d,]+) \+ ([\d,]+) \+ ([\d,]+))");
    std::smatch rm;
    REQUIRE(std::regex_search(s, rm, recon));
    const std::uint64_t rows_in = number(rm[1]), assigned = number(rm[2]), outside = number(rm[3]), rejected = number(rm[4]);
    CHECK(rows_in == rows);
    CHECK(rows_in == assigned + outside + rejected);
    CHECK(m["counts"]["rows_in"] == rows_in);
    CHECK(m["counts"]["assigned"] == assigned);
    CHECK(m["counts"]["outside"] == outside);
    CHECK(m["counts"]["rejected"] == rejected);
    CHECK(m["counts"]["kept"] == assigned + outside);
    // rejected: only rows with no location, exactly the ones counted here
    CHECK(rejected == no_location);
    std::smatch jm;
    REQUIRE(std::regex_search(s, jm, std::regex(R"(29 files read; rejected ([\d,]+) \(([^)]*)\); outside all areas ([\d,]+))")));
    CHECK(jm[2].str() == "missing_coordinate " + jm[1].str());
    CHECK(m["counts"]["rejected_by_reason"] == "missing_coordinate " + jm[1].str());
    // far-away points end as 'outside all areas'
    CHECK(far_away > 0);
    CHECK(outside >= far_away);
    CHECK(number(jm[3]) == outside);
    // exact duplicates are kept and counted (blank ASB Crime IDs are not duplicate ids)
    std::smatch dm;
    REQUIRE(std::regex_search(s, dm, std::regex(R"(exact duplicate rows \(kept, as published\): ([\d,]+))")));
    CHECK(number(dm[1]) > 1000);
    CHECK(number(dm[1]) == duplicates);
    CHECK(m["counts"]["exact_duplicates"] == duplicates);

    // ---- the four profiles: three police.uk proxies and all crime
    const std::vector<std::string> names = {"car-key-burglary", "drug-possession", "public-place-violence", "all-crime"};
    REQUIRE(m["profiles"].size() == 4);
    for (std::size_t i = 0; i < names.size(); ++i) {
        INFO(names[i]);
        const std::string blk = block(s, names[i]);
        REQUIRE_FALSE(blk.empty());
        const bool proxy = names[i] != "all-crime";
        CHECK((blk.find("PROXY: police.uk proxy") != std::string::npos) == proxy);
        CHECK(m["profiles"][i]["name"] == names[i]);
        CHECK(m["profiles"][i]["proxy"] == proxy);
        // the pack: heat map, its change, Gi* z raster and cells, hot spot polygons, both rate levels
        std::string slug = names[i];
        std::replace(slug.begin(), slug.end(), '-', '_');
        for (const char* suffix : {"_kde.tif", "_kde_change.tif", "_gistar_z.tif"})
            CHECK(fs::exists(dir / (slug + suffix)));
        const std::vector<std::string> layers = m["profiles"][i]["layers"];
        for (const char* layer : {"_hotspots", "_gistar_cells", "_ward_rates", "_lsoa_rates"})
            CHECK(std::find(layers.begin(), layers.end(), slug + layer) != layers.end());
    }
    // selections in the period are exactly the located rows of the category
    CHECK(block(s, "drug-possession").find(": " + thousands(drugs) + " incidents selected") != std::string::npos);
    CHECK(block(s, "all-crime").find(": " + thousands(all_crime) + " incidents selected") != std::string::npos);
    CHECK(m["profiles"][1]["selected"] == drugs);
    CHECK(m["profiles"][3]["selected"] == all_crime);
    // ---- direction of travel (issue 17): all crime, the period against the comparison year, is a
    // significant increase; counts from the CSV text, % change from them
    const auto& dot = m["profiles"][3]["change"]["change"];
    CHECK(dot["period_count"] == all_crime);
    CHECK(dot["comparison_count"] == all_crime_cmp);
    CHECK(dot["class"] == "significant increase");
    CHECK(double(dot["pct_change"]) == Approx(100.0 * (double(all_crime) / double(all_crime_cmp) - 1)));
    CHECK(double(dot["p"]) < 0.001);
    CHECK(block(s, "all-crime").find("a significant increase (exact Poisson test, p < 0.001)") != std::string::npos);
    WARN("all crime: " << all_crime_cmp << " -> " << all_crime << ": " << dot["sentence"].get<std::string>());

    // ---- the LSOA with the highest drugs rate: police.uk's own LSOA codes and ONS population
    const auto lsoa_pop = population(data / "population" / "lsoa_population.csv", 0, 1);
    std::map<std::string, double> force_lsoa_pop;  // the force's 611 LSOAs
    int fallbacks = 0;
    const auto ward_of = ward_of_lsoa(data / "boundaries" / "leicestershire_lsoa.geojson",
                                      data / "boundaries" / "leicestershire_wards.geojson", fallbacks);
    REQUIRE(ward_of.size() == 611);
    for (const auto& [code, ward] : ward_of) force_lsoa_pop[code] = lsoa_pop.at(code);
    const auto [top_lsoa, top_lsoa_rate] = top_rate(drugs_by_lsoa, force_lsoa_pop);
    const std::string engine_lsoa = top_code(block(s, "drug-possession"), "lsoa");
    WARN("drugs, " << period_from << " to " << period_to << ": top LSOA by the CSV's LSOA codes " << top_lsoa << " ("
                   << drugs_by_lsoa[top_lsoa] << " rows, " << top_lsoa_rate << " per 1,000); the run's top LSOA (code, count, rate): "
                   << engine_lsoa);
    REQUIRE_FALSE(engine_lsoa.empty());
    CHECK(engine_lsoa.substr(0, 9) == top_lsoa);
    // point-in-polygon (the run) and police.uk's tags (here) differ by a few per cent at edges
    CHECK(std::stod(engine_lsoa.substr(engine_lsoa.rfind(' ') + 1)) == Approx(top_lsoa_rate).epsilon(0.1));

    // ---- the ward with the highest all-crime rate: LSOA codes -> ward by centroid, derived ward population
    std::map<std::string, std::uint64_t> crime_by_ward;
    std::uint64_t unplaced = 0;
    for (const auto& [lsoa, n] : crime_by_lsoa) {
        const auto w = ward_of.find(lsoa);
        if (w == ward_of.end() || w->second.empty()) {
            unplaced += n;  // neighbouring forces' LSOAs
            continue;
        }
        crime_by_ward[w->second] += n;
    }
    const auto ward_pop = population(data / "population" / "ward_population_derived.csv", 0, 4);
    const auto [top_ward, top_ward_rate] = top_rate(crime_by_ward, ward_pop);
    const std::string engine_ward = top_code(block(s, "all-crime"), "ward");
    WARN("all crime: top ward via LSOA centroids " << top_ward << " (" << crime_by_ward[top_ward] << " rows, " << top_ward_rate
                                                   << " per 1,000; " << fallbacks << " LSOAs placed by a point on surface, "
                                                   << unplaced << " rows tagged with other forces' LSOAs); the run's: " << engine_ward);
    REQUIRE_FALSE(engine_ward.empty());
    CHECK(engine_ward.substr(0, 9) == top_ward);
    CHECK(std::stod(engine_ward.substr(engine_ward.rfind(' ') + 1)) == Approx(top_ward_rate).epsilon(0.1));

    // the rates layer agrees with the summary: the top LSOA is significantly above the force rate
    const Ogr g(dir / "hotspot_run.gpkg");
    REQUIRE(g.ds);
    OGRLayerH rl = g.layer("drug_possession_lsoa_rates");
    REQUIRE(rl);
    OGR_L_SetAttributeFilter(rl, ("code = '" + top_lsoa + "'").c_str());
    OGRFeatureH f = OGR_L_GetNextFeature(rl);
    REQUIRE(f);
    CHECK(std::string(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "rate_class"))) == "significantly above");
    OGR_F_Destroy(f);

    // phase timings for bench/RESULTS.md
    for (const char* phase : {"read", "geocode", "analyse", "write", "total"}) CHECK(m["timings_s"].contains(phase));
}

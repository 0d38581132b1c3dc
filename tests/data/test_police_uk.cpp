// The real-data acceptance checks on 29 months of Leicestershire police.uk files
// (../shared/data/police_uk/leicestershire), when present.

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "hotspot/areas_io.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/incidents_io.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

TEST_CASE("police.uk: 29 months, every row accounted for, LSOAs agree with police.uk's own", "[data-police-uk]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    const fs::path folder = test::shared_data() / "police_uk" / "leicestershire";
    // Independent line count: data rows = lines - header, per file (no field holds a newline).
    std::uint64_t lines = 0;
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(folder)) {
        if (e.path().extension() != ".csv") continue;
        ++files;
        const std::string text = test::read_file(e.path());
        lines += std::uint64_t(std::count(text.begin(), text.end(), '\n')) - 1;
    }
    REQUIRE(files == 29);

    ReadOptions o;
    o.paths = {folder.string()};
    const ReadResult r = read_incidents(o);
    CHECK(r.police_uk);
    CHECK(r.rows_in == lines);
    CHECK(r.incidents.size() + r.rejects.size() == r.rows_in);
    CHECK(r.incidents.source_files.size() == 29);
    // ~2.5% have no location; nothing else is rejected in these files but the few records
    // far beyond the force's edge, screened as location outliers (no area layer bounds a
    // plain read): under 0.1% of the rows.
    const auto missing = std::count(r.rejects.reason.begin(), r.rejects.reason.end(), RejectReason::missing_coordinate);
    const auto outliers = std::count(r.rejects.reason.begin(), r.rejects.reason.end(), RejectReason::location_outlier);
    CHECK(std::size_t(missing + outliers) == r.rejects.size());
    CHECK(double(outliers) / double(r.rows_in) < 0.001);
    CHECK(double(missing) / double(r.rows_in) == Approx(0.025).margin(0.01));
    CHECK(r.exact_duplicates > 1000);  // kept, as police.uk publishes them

    const AreaLayer lsoa = read_area_layer(AreaSpec::parse(
        "lsoa=" + (test::shared_data() / "boundaries" / "leicestershire_lsoa.geojson").string() + ":LSOA11CD:LSOA11NM"));
    const AreaIndex idx(lsoa.polygons);
    const auto g = geocode(idx, r.incidents.x, r.incidents.y);
    CHECK(g.assigned + g.outside + r.rejects.size() == r.rows_in);

    // police.uk's own LSOA code for each kept row
    const auto& names = r.incidents.field_names;
    const std::size_t code_col = std::size_t(std::find(names.begin(), names.end(), "LSOA code") - names.begin());
    REQUIRE(code_col < names.size());
    std::map<std::string, std::size_t> layer_index;
    for (std::size_t a = 0; a < lsoa.size(); ++a) layer_index[lsoa.codes[a]] = a;
    std::size_t inside_force = 0, agree = 0;
    double worst = 0;
    for (std::size_t i = 0; i < r.incidents.size(); ++i) {
        const auto it = layer_index.find(std::string(r.incidents.fields[code_col][i]));
        if (it == layer_index.end()) continue;  // tagged with a neighbouring force's LSOA
        ++inside_force;
        if (g.area[i] == std::int32_t(it->second)) {
            ++agree;
        } else {
            worst = std::max(worst, idx.distance_to(it->second, r.incidents.x[i], r.incidents.y[i]));
        }
    }
    const double rate = double(agree) / double(inside_force);
    WARN("police.uk LSOA agreement " << rate * 100 << "% of " << inside_force
                                     << " located rows in the force's LSOAs; largest distance to the tagged LSOA "
                                     << worst << " m");
    CHECK(rate >= 0.95);
    // generalised boundaries put disagreeing points within ~17 m of their tagged LSOA (README);
    // the Helmert transformation adds up to a few metres
    CHECK(worst < 30.0);
}

TEST_CASE("police.uk: --by-code counts by the file's own LSOA code", "[data-police-uk]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    const fs::path csv = test::shared_data() / "police_uk" / "leicestershire" / "2020-06-leicestershire-street.csv";
    const fs::path lsoa = test::shared_data() / "boundaries" / "leicestershire_lsoa.geojson";
    const auto dir = test::fresh_dir("police-uk-by-code");
    const auto r = test::run_cli("geocode --incidents '" + csv.string() + "' --areas 'lsoa=" + lsoa.string() +
                                 ":LSOA11CD:LSOA11NM' --by-code 'lsoa=LSOA code' --out '" + (dir / "o.gpkg").string() + "'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // independent count: the 8th column of each data row, for codes in the layer
    std::map<std::string, std::size_t> expected;
    const std::string text = test::read_file(csv);
    std::size_t pos = text.find('\n') + 1;
    while (pos < text.size()) {
        const std::size_t end = text.find('\n', pos);
        std::string line = text.substr(pos, end - pos);
        pos = end == std::string::npos ? text.size() : end + 1;
        // fields: no quoted commas before column 8 except Location (column 7) which may be quoted
        std::vector<std::string> f;
        std::string cur;
        bool q = false;
        for (char c : line) {
            if (c == '"') q = !q;
            else if (c == ',' && !q) { f.push_back(cur); cur.clear(); }
            else if (c != '\r') cur += c;
        }
        f.push_back(cur);
        if (f.size() == 12 && !f[4].empty()) ++expected[f[7]];
    }
    const auto summary = r.out;
    std::size_t in_layer = 0;
    const AreaLayer layer = read_area_layer(AreaSpec::parse("lsoa=" + lsoa.string() + ":LSOA11CD:LSOA11NM"));
    for (const auto& c : layer.codes) in_layer += expected.count(c) ? expected[c] : 0;
    CHECK(summary.find("lsoa (611 areas): " ) != std::string::npos);
    // "N inside" in the summary equals the independent count of rows tagged with a layer code
    std::string n = std::to_string(in_layer);
    for (int i = int(n.size()) - 3; i > 0; i -= 3) n.insert(std::size_t(i), ",");
    CHECK(summary.find("lsoa (611 areas): " + n + " inside") != std::string::npos);
}

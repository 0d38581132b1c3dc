// End to end through the CLI: `hotspot gistar` on the demo town. The planted hot spots of
// shapes/demo/ground_truth_hotspots.csv must come out as 99% hot cells (gi_bin 3) for their
// offence selection; counts and one z-score are recomputed here from the CSV with the spdep
// formula (independently of the engine); the layer, its style row, the z raster's
// georeferencing and the exit codes of bad options are read back with OGR/GDAL.

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <gdal.h>
#include <map>
#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include "hotspot/csv.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

struct Cell {
    long long count = 0;
    int bin = 0;
    double z = NAN, p = NAN, p_corrected = NAN, p_perm = NAN;
    OGREnvelope env{};
};

/// gistar_cells keyed by (col, row).
std::map<std::pair<long long, long long>, Cell> read_cells(const fs::path& gpkg) {
    std::map<std::pair<long long, long long>, Cell> cells;
    test::for_each_feature(gpkg, "gistar_cells", [&](OGRFeatureH f, const test::FieldIndex& idx) {
        Cell c;
        c.count = OGR_F_GetFieldAsInteger64(f, idx("count"));
        c.bin = OGR_F_GetFieldAsInteger(f, idx("gi_bin"));
        c.z = OGR_F_IsFieldNull(f, idx("z")) ? NAN : OGR_F_GetFieldAsDouble(f, idx("z"));
        c.p = OGR_F_GetFieldAsDouble(f, idx("p"));
        c.p_corrected = OGR_F_GetFieldAsDouble(f, idx("p_corrected"));
        if (idx("p_perm") >= 0) c.p_perm = OGR_F_GetFieldAsDouble(f, idx("p_perm"));
        OGR_G_GetEnvelope(OGR_F_GetGeometryRef(f), &c.env);
        cells[{OGR_F_GetFieldAsInteger64(f, idx("col")), OGR_F_GetFieldAsInteger64(f, idx("row"))}] = c;
    });
    return cells;
}

/// Writes the demo incidents whose offence_code is in `codes` (the demo has no profiles yet).
fs::path filtered_csv(const fs::path& dir, const std::vector<std::string>& codes, std::size_t& rows) {
    const std::string text = test::read_file(test::demo_file("incidents.csv"));
    CsvReader r(text, "incidents.csv");
    std::vector<std::string_view> f;
    REQUIRE(r.next(f));
    std::string out = "incident_id,easting,northing\n";
    rows = 0;
    while (r.next(f))
        if (std::find(codes.begin(), codes.end(), std::string(f[1])) != codes.end() && !f[6].empty()) {
            out += std::string(f[0]) + "," + std::string(f[6]) + "," + std::string(f[7]) + "\n";
            ++rows;
        }
    const fs::path p = dir / "selection.csv";
    test::write_file(p, out);
    return p;
}

struct Hotspot {
    std::string id, profile;
    double x, y;
};

std::vector<Hotspot> planted() {
    const std::string text = test::read_file(test::demo_file("ground_truth_hotspots.csv"));
    CsvReader r(text, "ground_truth_hotspots.csv");
    std::vector<std::string_view> f;
    REQUIRE(r.next(f));
    std::vector<Hotspot> h;
    while (r.next(f)) h.push_back({std::string(f[0]), std::string(f[1]), std::stod(std::string(f[2])), std::stod(std::string(f[3]))});
    REQUIRE(h.size() == 5);
    return h;
}

std::string study() {
    return "--areas 'study=" + test::demo_file("wards.geojson") + "'";
}

} // namespace

TEST_CASE("gistar CLI: the demo town's planted hot spots are 99% hot cells", "[cli-gistar]") {
    const std::map<std::string, std::vector<std::string>> selections = {
        {"drug_possession", {"92D", "92E"}},
        {"public_place_violence", {"8N", "105A"}},
        {"car_key_burglary", {"28E"}},  // all dwelling burglary: the car key ones are a subset
    };
    const auto spots = planted();
    for (const auto& [profile, codes] : selections) {
        DYNAMIC_SECTION(profile) {
            const auto dir = test::fresh_dir("cli-gistar-" + profile);
            std::size_t rows = 0;
            const fs::path in = filtered_csv(dir, codes, rows);
            const auto r = test::run_cli("gistar --incidents '" + in.string() + "' --crs EPSG:27700 " + study() +
                                         " --cell 100 --band 300 --all-cells --out '" + (dir / "cells.gpkg").string() + "'");
            INFO(r.err << r.out);
            REQUIRE(r.exit_code == 0);
            const auto m = nlohmann::json::parse(test::read_file(dir / "cells.manifest.json"));
            const double ox = m["grid"]["origin_x"], oy = m["grid"]["origin_y"];
            // kde's alignment: the origin is a whole multiple of the cell size
            CHECK(std::fmod(ox, 100.0) == 0);
            CHECK(std::fmod(oy, 100.0) == 0);
            CHECK(m["method"]["band"]["method"] == "given");
            const auto cells = read_cells(dir / "cells.gpkg");
            const std::size_t n = m["grid"]["study_cells"];
            REQUIRE(cells.size() == n);  // --all-cells: every study-area cell, zero cells kept

            // Counts recomputed here from the selection: every counted incident is in its cell.
            std::map<std::pair<long long, long long>, long long> mine;
            {
                const std::string text = test::read_file(in);
                CsvReader cr(text, in.string());
                std::vector<std::string_view> f;
                cr.next(f);
                while (cr.next(f)) {
                    const double x = std::stod(std::string(f[1])), y = std::stod(std::string(f[2]));
                    const auto key = std::make_pair((long long)std::floor((x - ox) / 100), (long long)std::floor((oy - y) / 100));
                    if (cells.count(key)) ++mine[key];
                }
            }
            long long total = 0;
            for (const auto& [k, c] : cells) {
                CHECK(c.count == (mine.count(k) ? mine[k] : 0));
                total += c.count;
            }
            CHECK(total == m["counts"]["counted"].get<long long>());
            CHECK(total + m["counts"]["outside_study"].get<long long>() == (long long)rows);

            // spdep's Gi* (binary, self included, s² over n) at each planted centre, from these counts.
            double sum = 0, sum2 = 0;
            for (const auto& [k, c] : cells) sum += double(c.count), sum2 += double(c.count * c.count);
            const double dn = double(n), mean = sum / dn, s2 = sum2 / dn - mean * mean;
            for (const auto& h : spots) {
                if (h.profile != profile) continue;
                INFO(h.id << " at " << h.x << ", " << h.y);
                const std::pair<long long, long long> key{(long long)std::floor((h.x - ox) / 100),
                                                          (long long)std::floor((oy - h.y) / 100)};
                REQUIRE(cells.count(key));
                const Cell& c = cells.at(key);
                CHECK(c.bin == 3);
                double lag = 0, wi = 0;
                for (long long dr = -3; dr <= 3; ++dr)
                    for (long long dc = -3; dc <= 3; ++dc) {
                        if ((dr * dr + dc * dc) * 100.0 * 100.0 > 300.0 * 300.0 + 1e-6) continue;
                        const auto it = cells.find({key.first + dc, key.second + dr});
                        if (it == cells.end()) continue;
                        lag += double(it->second.count);
                        wi += 1;
                    }
                const double z = (lag - wi * mean) / std::sqrt(s2 * (dn * wi - wi * wi) / (dn - 1));
                CHECK(c.z == Approx(z).epsilon(1e-9));
                CHECK(c.z > 2.5758);
            }
            // A negative control: the far south-east car key burglary spot is not a drug hot spot.
            if (profile == "drug_possession") {
                const auto& h5 = spots[4];
                const auto it = cells.find({(long long)std::floor((h5.x - ox) / 100), (long long)std::floor((oy - h5.y) / 100)});
                REQUIRE(it != cells.end());
                CHECK(it->second.bin <= 0);
            }
        }
    }
}

TEST_CASE("gistar CLI: styled GeoPackage, z raster on the same grid, manifest with the default band", "[cli-gistar]") {
    const auto dir = test::fresh_dir("cli-gistar-outputs");
    const auto gpkg = dir / "cells.gpkg", tif = dir / "z.tif";
    const auto r = test::run_cli("gistar --incidents '" + test::demo_file("incidents.csv") +
                                 "' --crs EPSG:27700 " + study() + " --cell 100 --out '" +
                                 gpkg.string() + "' --raster '" + tif.string() + "'");
    INFO(r.err << r.out);
    REQUIRE(r.exit_code == 0);
    REQUIRE(fs::exists(dir / "z.qml"));
    CHECK(test::read_file(dir / "z.qml").find("{{") == std::string::npos);

    // manifest: the band was chosen from the data, and says how
    const auto m = nlohmann::json::parse(test::read_file(dir / "cells.manifest.json"));
    CHECK(m["method"]["band"]["method"] == "default");
    const double band = m["method"]["band"]["band_m"];
    CHECK(band >= 100 * std::sqrt(2.0));
    CHECK(band == std::ceil(m["method"]["band"]["knn_distance_m"].get<double>() - 1e-9));
    CHECK(m["method"]["band"]["k"] == 30);  // 5% of ~4,000 non-empty cells, capped at 30
    CHECK(r.out.find("band " + std::to_string(int(band)) + " m") != std::string::npos);

    // every layer has a layer_styles row; the description names the method
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(gpkg.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    std::vector<std::string> layers;
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
        const std::string name = OGR_L_GetName(GDALDatasetGetLayer(ds, i));
        if (name != "layer_styles") layers.push_back(name);
    }
    CHECK(layers == std::vector<std::string>{"gistar_cells"});
    for (const auto& name : layers) {
        OGRLayerH s = GDALDatasetExecuteSQL(ds, ("SELECT styleQML, useAsDefault FROM layer_styles WHERE f_table_name = '" + name + "'").c_str(),
                                            nullptr, nullptr);
        REQUIRE(s);
        OGRFeatureH f = OGR_L_GetNextFeature(s);
        REQUIRE(f);
        const std::string qml = OGR_F_GetFieldAsString(f, 0);
        CHECK(qml.find("categorizedSymbol") != std::string::npos);
        CHECK(qml.find("attr=\"gi_bin\"") != std::string::npos);
        CHECK(OGR_F_GetFieldAsInteger(f, 1) == 1);
        OGR_F_Destroy(f);
        GDALDatasetReleaseResultSet(ds, s);
    }
    const char* desc = GDALGetMetadataItem(GDALDatasetGetLayerByName(ds, "gistar_cells"), "DESCRIPTION", nullptr);
    REQUIRE(desc);
    CHECK(std::string(desc).find("Getis-Ord Gi*") != std::string::npos);
    CHECK(std::string(desc).find("FDR") != std::string::npos);
    GDALClose(ds);

    // the z raster: same grid as the cells, same values, nodata outside the study area
    const auto cells = read_cells(gpkg);
    REQUIRE(!cells.empty());
    GDALDatasetH rs = GDALOpen(tif.c_str(), GA_ReadOnly);
    REQUIRE(rs);
    double gt[6];
    REQUIRE(GDALGetGeoTransform(rs, gt) == CE_None);
    CHECK(gt[1] == 100);
    CHECK(gt[5] == -100);
    CHECK(gt[0] == m["grid"]["origin_x"].get<double>());
    CHECK(gt[3] == m["grid"]["origin_y"].get<double>());
    CHECK(GDALGetRasterXSize(rs) == m["grid"]["cols"].get<int>());
    CHECK(GDALGetRasterYSize(rs) == m["grid"]["rows"].get<int>());
    GDALRasterBandH band1 = GDALGetRasterBand(rs, 1);
    int has_nodata = 0;
    const double nodata = GDALGetRasterNoDataValue(band1, &has_nodata);
    CHECK(has_nodata);
    std::vector<float> z(std::size_t(GDALGetRasterXSize(rs)) * std::size_t(GDALGetRasterYSize(rs)));
    REQUIRE(GDALRasterIO(band1, GF_Read, 0, 0, GDALGetRasterXSize(rs), GDALGetRasterYSize(rs), z.data(),
                         GDALGetRasterXSize(rs), GDALGetRasterYSize(rs), GDT_Float32, 0, 0) == CE_None);
    for (const auto& [k, c] : cells) {
        CHECK(c.env.MinX == gt[0] + double(k.first) * gt[1]);
        CHECK(c.env.MaxY == gt[3] + double(k.second) * gt[5]);
        CHECK(c.env.MaxX - c.env.MinX == 100);
        CHECK(z[std::size_t(k.second * GDALGetRasterXSize(rs) + k.first)] == Approx(c.z).margin(1e-5));
    }
    std::size_t nodata_cells = 0;
    for (float v : z) nodata_cells += v == float(nodata);
    CHECK(nodata_cells == z.size() - m["grid"]["study_cells"].get<std::size_t>());
    GDALClose(rs);
}

TEST_CASE("gistar CLI: permutations are seeded and thread-independent", "[cli-gistar]") {
    const auto dir = test::fresh_dir("cli-gistar-perm");
    auto run = [&](const std::string& name, const std::string& extra) {
        const auto r = test::run_cli(
            extra + " gistar --incidents '" + test::demo_file("incidents.csv") +
            "' --crs EPSG:27700 " + study() +
            " --cell 200 --band 500 --permutations 199 --seed 7 --out '" + (dir / name).string() +
            "' --manifest '" + (dir / (name + ".json")).string() + "'");
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        return read_cells(dir / name);
    };
    const auto a = run("a.gpkg", "--threads 1"), b = run("b.gpkg", "--threads 3");
    REQUIRE(a.size() == b.size());
    for (const auto& [k, c] : a) {
        CHECK(c.p_perm == b.at(k).p_perm);
        CHECK(c.p_perm >= 1.0 / 200 * 0.999);
        CHECK(c.p_perm <= 1.0);
    }
}

TEST_CASE("gistar CLI: bad options exit 2 before any work", "[cli-gistar]") {
    const auto dir = test::fresh_dir("cli-gistar-bad");
    const std::string base = "gistar --incidents '" + test::demo_file("incidents.csv") +
                             "' --crs EPSG:27700 --out '" + (dir / "x.gpkg").string() + "' ";
    struct Case {
        std::string args, message;
    };
    const std::vector<Case> cases = {
        {"--cell 100 --band 0", "gistar: --band must be > 0 m (got 0)"},
        {"--cell 100 --band -300", "gistar: --band must be > 0 m (got -300)"},
        {"--cell 0 --band 300", "gistar: --cell must be > 0 m (got 0)"},
        {"--cell -5", "gistar: --cell must be > 0 m (got -5)"},
        {"--cell 100 --band 50", "less than one cell"},
        {"--cell 100 --weights gaussian", "unknown --weights 'gaussian'"},
        {"--cell 100 --correction holm", "unknown correction 'holm'"},
        {"--cell 100 --permutations -1", "permutations must be between 0 and 99999"},
    };
    for (const auto& c : cases) {
        INFO(c.args);
        const auto r = test::run_cli(base + c.args);
        CHECK(r.exit_code == 2);
        CHECK(r.err.find(c.message) != std::string::npos);
    }
    // An absurd grid (0.001 m cells over a 10 km town: ~10^14 cells) is refused from the
    // study area's extent before the incidents are read or anything is allocated.
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = test::run_cli(base + "--cell 0.001 --band 0.003 " + study());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("cells") != std::string::npos);
    CHECK(s < 5);
    CHECK(!fs::exists(dir / "x.gpkg"));
}

#include "support.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace hotspot::test {

fs::path source_dir() { return HOTSPOT_SOURCE_DIR; }

std::string demo_file(const std::string& name) {
    return (source_dir() / "shapes" / "demo" / name).string();
}

std::string quoted(const fs::path& text) {
    return "'" + text.string() + "'";
}

fs::path shared_data() {
    if (const char* env = std::getenv("HOTSPOT_SHARED_DATA")) return env;
    fs::path p = source_dir().parent_path() / "shared" / "data";
    return fs::exists(p / "boundaries") ? p : fs::path();
}

fs::path fresh_dir(const std::string& name) {
    fs::path p = fs::path(HOTSPOT_TEST_TMP) / name;
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

void write_file(const fs::path& path, const std::string& text) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream f(path, std::ios::binary);
    f << text;
}

std::string read_file(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

CliResult run_cli(const std::string& args) {
    static int counter = 0;
    const fs::path dir = fs::path(HOTSPOT_TEST_TMP) / "cli-capture";
    fs::create_directories(dir);
    // ctest -j runs several test processes at once, each with its own counter: the pid keeps
    // their capture files apart
    const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(++counter);
    const fs::path out = dir / ("out" + tag + ".txt");
    const fs::path err = dir / ("err" + tag + ".txt");
    const std::string cmd = std::string("'") + HOTSPOT_CLI + "' " + args + " >'" + out.string() +
                            "' 2>'" + err.string() + "' </dev/null";
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    std::error_code ec;  // pid-named files would pile up run after run
    fs::remove(out, ec);
    fs::remove(err, ec);
    return r;
}

void for_each_feature(const fs::path& path, const std::string& layer,
                      const std::function<void(OGRFeatureH, const FieldIndex&)>& row) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, layer.c_str());
    REQUIRE(l);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    const FieldIndex idx = [d](const char* n) { return OGR_FD_GetFieldIndex(d, n); };
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != nullptr) {
        row(f, idx);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
}

std::map<std::string, Layer> read_all_layers(const fs::path& path) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    std::map<std::string, Layer> out;
    for (int l = 0; l < GDALDatasetGetLayerCount(ds); ++l) {
        OGRLayerH layer = GDALDatasetGetLayer(ds, l);
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
        Layer rows;
        std::vector<std::string> header;
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) header.emplace_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
        rows.push_back(header);
        OGR_L_ResetReading(layer);
        OGRFeatureH f;
        while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
            std::vector<std::string> row{std::to_string(OGR_F_GetFID(f))};
            for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i)
                row.emplace_back(OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsString(f, i) : "<null>");
            if (OGRGeometryH g = OGR_F_GetGeometryRef(f)) {
                char* wkt = nullptr;
                OGR_G_ExportToIsoWkt(g, &wkt);  // full precision, so any coordinate change shows
                row.emplace_back(wkt ? wkt : "");
                CPLFree(wkt);
            }
            rows.push_back(std::move(row));
            OGR_F_Destroy(f);
        }
        out[OGR_L_GetName(layer)] = std::move(rows);
    }
    GDALClose(ds);
    return out;
}

Band1 read_band1(const std::filesystem::path& path) {
    Band1 b;
    GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
    REQUIRE(ds);
    GDALGetGeoTransform(ds, b.gt);
    b.cols = GDALGetRasterXSize(ds);
    b.rows = GDALGetRasterYSize(ds);
    b.v.resize(std::size_t(b.cols) * std::size_t(b.rows));
    const CPLErr err = GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, b.cols, b.rows, b.v.data(), b.cols, b.rows,
                                    GDT_Float32, 0, 0);
    GDALClose(ds);
    REQUIRE(err == CE_None);
    return b;
}

} // namespace hotspot::test

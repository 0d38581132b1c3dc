#include "hotspot/raster_out.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cpl_conv.h>
#include <cpl_string.h>
#include <filesystem>
#include <fstream>
#include <gdal.h>
#include <memory>
#include <new>
#include <gdal_utils.h>
#include <ogr_srs_api.h>
#include <sstream>
#include <unistd.h>

#include "gdal_env.hpp"
#include "hotspot/error.hpp"
#include "hotspot/crs.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/qgis_project.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/vector_out.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "raster";

std::string fmt(double v) {
    std::ostringstream s;
    s.precision(9);
    s << v;
    return s.str();
}

/// Sets thread-local GDAL options for the scope of one write (no .aux.xml side files).
class ConfigScope {
public:
    ConfigScope(const char* key, const char* value) : m_key(key) {
        const char* old = CPLGetThreadLocalConfigOption(key, nullptr);
        if (old) m_old = old, m_had = true;
        CPLSetThreadLocalConfigOption(key, value);
    }
    ~ConfigScope() { CPLSetThreadLocalConfigOption(m_key, m_had ? m_old.c_str() : nullptr); }
    ConfigScope(const ConfigScope&) = delete;
    ConfigScope& operator=(const ConfigScope&) = delete;

private:
    const char* m_key;
    std::string m_old;
    bool m_had = false;
};

/// A temporary sibling of `final_path`, removed unless released.
class TempFile {
public:
    explicit TempFile(const fs::path& final_path) {
        // Built with append: GCC 12 warns (-Wrestrict, a false positive) on the + chain.
        std::string name(".");
        name.append(final_path.filename().string());
        name.append(".tmp");
        name.append(std::to_string(getpid()));
        name.append(final_path.extension().string());
        m_path = final_path.parent_path() / name;
        register_temporary(m_path.string());
    }
    ~TempFile() {
        if (!m_path.empty()) {
            std::error_code ec;
            fs::remove(m_path, ec);
            release_temporary(m_path.string());
        }
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const fs::path& path() const { return m_path; }
    void commit(const fs::path& final_path) {
        std::error_code ec;
        fs::rename(m_path, final_path, ec);
        if (ec) throw OutputError(unit, final_path.string(), "cannot rename the finished file "
                                  "into place (" + ec.message() + "); check the folder's permissions");
        release_temporary(m_path.string());
        m_path.clear();
    }

private:
    fs::path m_path;
};

} // namespace

std::string heat_qml(const HeatClasses& h) {
    const std::size_t n = h.classes.size();
    std::string items;
    if (n) {
        items += "          <item alpha=\"0\" value=\"" + fmt(h.floor) + "\" label=\"" +
                 xml_escape(h.floor_label) + "\" color=\"#ffffff\"/>\n";
        for (std::size_t i = 0; i < n; ++i) {
            const std::string colour = heat_class_colour(h, i).hex();
            // the last class has no upper limit, so values of overviews and resampling are shaded
            items += "          <item alpha=\"255\" value=\"" + (i + 1 == n ? std::string("inf") : fmt(h.classes[i].upper)) +
                     "\" label=\"" + xml_escape(h.classes[i].label) + "\" color=\"" + colour + "\"/>\n";
        }
        items.pop_back();
    }
    std::string q = std::string(style_qml("kde_template"));
    auto replace_all = [&](const std::string& key, const std::string& value) {
        for (std::size_t at = q.find(key); at != std::string::npos; at = q.find(key, at + value.size()))
            q.replace(at, key.size(), value);
    };
    replace_all("{{ITEMS}}", items);
    replace_all("{{MIN}}", "0");
    replace_all("{{MAX}}", n ? fmt(h.max) : "1");
    replace_all("{{LABEL}}", xml_escape(h.title));
    return q;
}

RasterWriteResult write_geotiff(const std::string& path, const Grid& grid,
                                std::span<const double> values, const GeoTiffOptions& options) {
    if (std::int64_t(values.size()) != grid.size() || grid.size() <= 0) {
        std::ostringstream m;
        m << "the surface has " << values.size() << " values but the grid has " << grid.size()
          << " cells";
        throw UsageError(unit, m.str());
    }
    const fs::path out(path);
    RasterWriteResult res;
    res.path = path;
    const fs::path qml = fs::path(out).replace_extension(".qml");
    const fs::path png = fs::path(out).replace_extension(".png");
    check_can_write(out.string(), options.overwrite, unit);
    if (options.write_qml) check_can_write(qml.string(), options.overwrite, unit);
    if (options.write_png) check_can_write(png.string(), options.overwrite, unit);
    // what killed writers of these names left (the .png's too, written or not this time)
    sweep_dead_temporaries(out.string());
    sweep_dead_temporaries(png.string());

    detail::ensure_gdal();
    detail::GdalErrorScope errors;
    ConfigScope no_pam("GDAL_PAM_ENABLED", "NO");
    const std::string wkt = crs_wkt(options.crs);

    // The MEM source is a view of our own buffer of floats (the MEM driver's DATAPOINTER), filled
    // once: not a second grid-sized block GDAL allocates and zeroes, then fills row by row.
    const std::size_t n_cells = values.size();
    std::unique_ptr<float[]> cells(new (std::nothrow) float[n_cells]);
    if (!cells) throw OutputError(unit, path, "cannot allocate the raster (" + std::to_string(n_cells) + " cells)");
    {
        const double* __restrict in = values.data();
        float* __restrict o = cells.get();
        const float nodata = options.nodata;
        for (std::size_t i = 0; i < n_cells; ++i) o[i] = std::isnan(in[i]) ? nodata : float(in[i]);
    }
    GDALDatasetH src = detail::mem_view(int(grid.cols), int(grid.rows), GDT_Float32, cells.get());
    if (!src) throw OutputError(unit, path, "cannot allocate the raster: " + errors.last_error());
    struct Closer {
        GDALDatasetH& h;
        ~Closer() { if (h) GDALClose(h); }
    } close_src{src};

    auto gt = grid.geotransform();
    GDALSetGeoTransform(src, gt.data());
    GDALSetProjection(src, wkt.c_str());
    for (const auto& [k, v] : options.metadata)
        GDALSetMetadataItem(src, k.c_str(), v.c_str(), nullptr);
    GDALRasterBandH band = GDALGetRasterBand(src, 1);
    GDALSetRasterNoDataValue(band, double(options.nodata));
    GDALSetDescription(band, options.band_description.c_str());

    TempFile tmp(out);
    GDALDriverH cog = GDALGetDriverByName("COG");
    GDALDatasetH dst = nullptr;
    if (cog) {
        res.driver = "COG";
        const std::string threads =
            "NUM_THREADS=" + (options.threads ? std::to_string(options.threads) : std::string("ALL_CPUS"));
        // No predictor: the floating-point predictor (3) made every density and Gi* surface
        // measured larger (force year 25 m: 1.90 vs 1.60 MB; Leicestershire: 0.71 vs 0.47 MB)
        // and a third slower to write; the surfaces are mostly nodata and zero, which DEFLATE
        // packs better unpredicted (bench/RESULTS.md, 2026-12-03).
        const char* opts[] = {"COMPRESS=DEFLATE", "PREDICTOR=NO", "BLOCKSIZE=256",
                              "OVERVIEWS=AUTO",   "RESAMPLING=AVERAGE", "BIGTIFF=IF_SAFER",
                              threads.c_str(),    nullptr};
        // Not COG_TMP_COMPRESSION=NONE (the driver's temporary overview file left uncompressed
        // to save its ZSTD work): GDAL 3.6 then got overview cells wrong at a 512-row boundary
        // of the Leicestershire surfaces (0.22 for a weighted average of 3.45; bench/RESULTS.md,
        // 2026-12-03 evening).
        dst = GDALCreateCopy(cog, tmp.path().c_str(), src, FALSE, const_cast<char**>(opts),
                             nullptr, nullptr);
    } else {
        res.driver = "GTiff";
        // Without COG: build overviews on the source, then copy them in.
        const int levels[] = {2, 4, 8, 16, 32};
        int n = 0;
        while (n < 5 && (grid.cols > 256 << n || grid.rows > 256 << n)) ++n;
        if (n && GDALBuildOverviews(src, "AVERAGE", n, levels, 0, nullptr, nullptr, nullptr) !=
                     CE_None)
            throw OutputError(unit, path, "cannot build overviews: " + errors.last_error());
        const char* opts[] = {"COMPRESS=DEFLATE", "PREDICTOR=1",  "TILED=YES",
                              "BLOCKXSIZE=256",   "BLOCKYSIZE=256", "COPY_SRC_OVERVIEWS=YES",
                              "BIGTIFF=IF_SAFER", nullptr};
        dst = GDALCreateCopy(GDALGetDriverByName("GTiff"), tmp.path().c_str(), src, FALSE,
                             const_cast<char**>(opts), nullptr, nullptr);
    }
    if (!dst)
        throw OutputError(unit, path, "cannot write the GeoTIFF: " + errors.last_error() +
                                          "; check the folder is writable and has space");
    GDALClose(dst);
    if (!errors.m_errors.empty())
        throw OutputError(unit, path, "writing failed: " + errors.last_error());
    tmp.commit(out);

    HeatClasses own;
    if (!options.heat && (options.write_qml || options.write_png)) {
        HeatClassOptions ho;
        ho.units = options.legend_label;
        own = heat_classes(grid, values, {}, {}, 0, ho);
    }
    const HeatClasses& heat = options.heat ? *options.heat : own;
    res.class_breaks = heat.breaks();
    if (options.write_qml) {
        write_text_atomic(qml.string(), heat_qml(heat), true, unit);
        res.qml_path = qml.string();
    }
    if (options.write_png) {
        GDALDatasetH rgba =
            GDALCreate(GDALGetDriverByName("MEM"), "", int(grid.cols), int(grid.rows), 4, GDT_Byte, nullptr);
        Closer close_rgba{rgba};
        std::vector<unsigned char> px(std::size_t(grid.size()) * 4, 0);
        for (std::size_t i = 0; i < values.size(); ++i) {
            const svg::Rgba c = heat_value_colour(heat, values[i]);
            px[4 * i] = c.r, px[4 * i + 1] = c.g, px[4 * i + 2] = c.b, px[4 * i + 3] = c.a;
        }
        for (int k = 0; k < 4; ++k)
            if (GDALRasterIO(GDALGetRasterBand(rgba, k + 1), GF_Write, 0, 0, int(grid.cols),
                         int(grid.rows), px.data() + k, int(grid.cols), int(grid.rows), GDT_Byte,
                         4, int(grid.cols) * 4) != CE_None)
                throw OutputError(unit, png.string(), "cannot fill the quick-look: " +
                                                          errors.last_error());
        TempFile ptmp(png);
        GDALDatasetH p = GDALCreateCopy(GDALGetDriverByName("PNG"), ptmp.path().c_str(), rgba,
                                        FALSE, nullptr, nullptr, nullptr);
        if (!p) throw OutputError(unit, png.string(), "cannot write the PNG: " + errors.last_error());
        GDALClose(p);
        if (!errors.m_errors.empty())
            throw OutputError(unit, png.string(), "writing failed: " + errors.last_error());
        ptmp.commit(png);
        res.png_path = png.string();
    }
    res.warnings = errors.warnings();
    return res;
}

RasterWriteResult write_vrt_mosaic(const std::string& path, const Grid& grid, const std::vector<std::string>& tiles,
                                   const GeoTiffOptions& options) {
    if (tiles.empty()) throw UsageError(unit, path + ": a mosaic needs at least one tile");
    if (!options.heat) throw UsageError(unit, path + ": a mosaic's style needs its heat classes");
    const fs::path out(path);
    const fs::path qml = fs::path(out).replace_extension(".qml");
    check_can_write(out.string(), options.overwrite, unit);
    check_can_write(qml.string(), options.overwrite, unit);
    sweep_dead_temporaries(out.string());
    detail::ensure_gdal();
    detail::GdalErrorScope errors;
    ConfigScope no_pam("GDAL_PAM_ENABLED", "NO");

    std::vector<const char*> names;
    for (const auto& t : tiles) names.push_back(t.c_str());
    // the whole grid's extent and cell, so tiles left out at an edge do not shrink the mosaic
    const Bounds b = grid.bounds();
    const auto exact = [](double v) {
        char text[32];
        std::snprintf(text, sizeof text, "%.17g", v);
        return std::string(text);
    };
    std::vector<std::string> args{"-q", "-te", exact(b.xmin), exact(b.ymin), exact(b.xmax), exact(b.ymax),
                                  "-tr", exact(grid.cell_size_m), exact(grid.cell_size_m)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    GDALBuildVRTOptions* bo = GDALBuildVRTOptionsNew(argv.data(), nullptr);
    TempFile tmp(out);
    int usage_error = 0;
    GDALDatasetH vrt = GDALBuildVRT(tmp.path().c_str(), int(names.size()), nullptr, names.data(), bo, &usage_error);
    GDALBuildVRTOptionsFree(bo);
    if (!vrt) throw OutputError(unit, path, "cannot build the mosaic: " + errors.last_error());
    for (const auto& [k, v] : options.metadata) GDALSetMetadataItem(vrt, k.c_str(), v.c_str(), nullptr);
    GDALRasterBandH band = GDALGetRasterBand(vrt, 1);
    GDALSetDescription(band, options.band_description.c_str());
    GDALSetRasterNoDataValue(band, double(options.nodata));
    GDALClose(vrt);
    if (!errors.m_errors.empty()) throw OutputError(unit, path, "writing the mosaic failed: " + errors.last_error());
    tmp.commit(out);

    RasterWriteResult res;
    res.path = path;
    res.driver = "VRT";
    res.class_breaks = options.heat->breaks();
    write_text_atomic(qml.string(), heat_qml(*options.heat), true, unit);
    res.qml_path = qml.string();
    res.warnings = errors.warnings();
    return res;
}

} // namespace hotspot

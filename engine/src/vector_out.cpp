#include "hotspot/vector_out.hpp"

#include <charconv>
#include <cmath>
#include <cpl_conv.h>
#include <filesystem>
#include <fstream>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <unistd.h>

#include "gdal_env.hpp"
#include <optional>

#include "gpkg_rtree.hpp"
#include "hotspot/error.hpp"
#include "hotspot/output_safety.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "write";

std::string driver_for(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".gpkg") return "GPKG";
    if (ext == ".geojson" || ext == ".json") return "GeoJSON";
    if (ext == ".fgb") return "FlatGeobuf";
    if (ext == ".shp") return "ESRI Shapefile";
    if (ext == ".sqlite") return "SQLite";
    if (ext == ".csv") return "CSV";
    throw UsageError(unit, "cannot tell the format of '" + path +
                               "' from its extension; use .gpkg (recommended), .geojson, .fgb or .shp");
}

std::string temp_name(const std::string& path) {
    const fs::path p(path);
    std::string name = ".";  // appended piecewise: GCC 12 warns falsely (-Wrestrict) on a + chain
    name.append(p.stem().string()).append(".partial-").append(std::to_string(getpid()));
    name.append(p.extension().string());
    return (p.parent_path() / name).string();
}

/// Sets, for this thread and the lifetime of the object, the GDAL SQLite options that make a
/// fresh GeoPackage fast to write, unless the user set them (environment or --config).
struct SqliteWriteOptions {
    static constexpr const char* keys[][2] = {{"OGR_SQLITE_CACHE", "64"}, {"OGR_SQLITE_SYNCHRONOUS", "OFF"}};
    bool set[2] = {false, false};
    SqliteWriteOptions() {
        for (int i = 0; i < 2; ++i)
            if (!CPLGetConfigOption(keys[i][0], nullptr)) {
                CPLSetThreadLocalConfigOption(keys[i][0], keys[i][1]);
                set[i] = true;
            }
    }
    ~SqliteWriteOptions() {
        for (int i = 0; i < 2; ++i)
            if (set[i]) CPLSetThreadLocalConfigOption(keys[i][0], nullptr);
    }
    SqliteWriteOptions(const SqliteWriteOptions&) = delete;
    SqliteWriteOptions& operator=(const SqliteWriteOptions&) = delete;
};

} // namespace

void check_can_write(const std::string& path, bool overwrite, const char* who) {
    std::error_code ec;
    if (fs::exists(path, ec) && !overwrite)
        throw OutputError(who, path, "already exists; use --overwrite to replace it, or choose another name");
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec))
        throw OutputError(who, path, "its folder " + parent.string() + " does not exist; create it first");
    if (access(parent.empty() ? "." : parent.c_str(), W_OK) != 0)
        throw OutputError(who, path, "its folder is not writable; choose another output folder");
}

void write_text_atomic(const std::string& path, const std::string& text, bool overwrite, const char* who) {
    check_can_write(path, overwrite, who);
    sweep_dead_temporaries(path);
    const std::string tmp = temp_name(path);
    register_temporary(tmp);
    {
        std::ofstream f(tmp, std::ios::binary);
        f << text;
        f.close();  // the close is checked too: a full disk may only show here
        if (f.fail()) {
            std::error_code ec;
            fs::remove(tmp, ec);
            release_temporary(tmp);
            throw OutputError(who, path, "cannot be written (disk full or no permission); nothing was written");
        }
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    release_temporary(tmp);
    if (ec) {
        fs::remove(tmp, ec);
        throw OutputError(who, path, "cannot be renamed into place: " + ec.message());
    }
}

struct VectorWriter::Impl {
    std::string path, tmp, driver;
    GDALDatasetH ds = nullptr;
    OGRSpatialReferenceH srs = nullptr;
    OGRLayerH layer = nullptr;
    OGRFeatureH feature = nullptr;
    bool committed = false;
    bool styles_table = false;
    int layers_begun = 0;
    std::string layer_name;
    GeomType geom = GeomType::none;
    // Layers of a GeoPackage with a geometry: the R-tree is built in bulk after GDAL closes the
    // file (gpkg_rtree.hpp) from the boxes kept here (24 bytes each), not by GDAL one by one.
    bool bulk_rtree = false;
    std::optional<detail::RtreeEntry> box;  // the current feature's, its FID set once written
    std::vector<detail::RtreeEntry> boxes;
    std::vector<detail::LayerRtree> rtrees;

    // A recorder (VectorWriter::recorder): the calls, kept for replay_into(). Each call is one
    // Op; its text, geometry, layer or style lives in the side vector `index` points into.
    bool recording = false;
    struct Op {
        enum Kind : std::uint8_t { begin, text, integer, real, point, polygon, feature, style } kind;
        int field = 0;
        std::int64_t index = 0;  // begin/text/polygon/style: into that vector; integer: the value
        double x = 0, y = 0;     // real: x; point: x, y
    };
    struct Begin {
        std::string name;
        GeomType geom;
        std::vector<FieldDef> fields;
        std::string description;
    };
    struct Style {
        std::string layer, qml, description, style_name;
        bool use_as_default;
    };
    std::vector<Op> ops;
    std::vector<std::string> texts;
    std::vector<MultiPolygon> polygons;
    std::vector<Begin> begins;
    std::vector<Style> styles;

    void end_layer() {
        if (feature) {
            OGR_F_Destroy(feature);
            feature = nullptr;
        }
        if (layer) {
            if (OGR_L_CommitTransaction(layer) != OGRERR_NONE)
                throw OutputError(unit, path, "writing layer " + layer_name + " failed");
            if (bulk_rtree) {
                const char* c = OGR_L_GetGeometryColumn(layer);
                rtrees.push_back({layer_name, c && *c ? c : "geom", std::move(boxes)});
                boxes = {};
                bulk_rtree = false;
            }
            layer = nullptr;
        }
    }
    std::string geom_column(const std::string& table) const {
        OGRLayerH l = GDALDatasetGetLayerByName(ds, table.c_str());
        const char* c = l ? OGR_L_GetGeometryColumn(l) : nullptr;
        return c && *c ? c : "geom";
    }
    void fail(const std::string& what) {
        throw OutputError(unit, path, what + (CPLGetLastErrorMsg()[0] ? std::string(": ") + CPLGetLastErrorMsg() : ""));
    }
};

VectorWriter::VectorWriter(const std::string& path, const std::string& crs, bool overwrite)
    : m_impl(std::make_unique<Impl>()) {
    detail::ensure_gdal();
    Impl& m = *m_impl;
    m.path = path;
    m.driver = driver_for(path);
    for (const auto& f : vector_output_files(path)) check_can_write(f, overwrite);
    sweep_dead_temporaries(path);
    m.tmp = temp_name(path);
    std::error_code ec;
    for (const auto& f : vector_output_files(m.tmp)) fs::remove(f, ec);
    register_temporary(m.tmp);
    GDALDriverH drv = GDALGetDriverByName(m.driver.c_str());
    if (!drv) throw OutputError(unit, path, "GDAL has no " + m.driver + " driver");
    {
        // SQLite-based formats (GeoPackage): a page cache large enough that GDAL building a
        // layer's R-tree does not re-read the file page by page (300,000 points with GDAL's
        // index: 3.3 s of system time to 0.7 s at 512 MB; point layers get the bulk index,
        // which needs no cache, so 64 MB bounds the memory), and no fsync: the file is a
        // temporary that is only renamed into place once complete, so a crash loses nothing a
        // sync would have kept. Both are read when the database is opened; a value the user
        // set in the environment wins.
        SqliteWriteOptions sqlite;
        m.ds = GDALCreate(drv, m.tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    }
    if (!m.ds) m.fail("cannot be created");
    m.srs = OSRNewSpatialReference(nullptr);
    OSRSetAxisMappingStrategy(m.srs, OAMS_TRADITIONAL_GIS_ORDER);
    if (OSRSetFromUserInput(m.srs, crs.c_str()) != OGRERR_NONE)
        throw UsageError(unit, "unknown CRS '" + crs + "'");
}

VectorWriter::VectorWriter() : m_impl(std::make_unique<Impl>()) {}
VectorWriter::VectorWriter(VectorWriter&&) noexcept = default;
VectorWriter& VectorWriter::operator=(VectorWriter&&) noexcept = default;

VectorWriter VectorWriter::recorder(const VectorWriter& like) {
    VectorWriter w;
    w.m_impl->recording = true;
    w.m_impl->path = like.m_impl->path;
    w.m_impl->driver = like.m_impl->driver;
    return w;
}

void VectorWriter::replay_into(VectorWriter& target) {
    Impl& m = *m_impl;
    if (!m.recording) throw UsageError(unit, "replay_into: " + m.path + " is not a recorder");
    for (const Impl::Op& op : m.ops) {
        switch (op.kind) {
        case Impl::Op::begin: {
            const auto& b = m.begins[std::size_t(op.index)];
            target.begin_layer(b.name, b.geom, b.fields, b.description);
            break;
        }
        case Impl::Op::text: target.set_string(op.field, m.texts[std::size_t(op.index)]); break;
        case Impl::Op::integer: target.set_integer(op.field, op.index); break;
        case Impl::Op::real: target.set_real(op.field, op.x); break;
        case Impl::Op::point: target.set_point(op.x, op.y); break;
        case Impl::Op::polygon: target.set_multipolygon(m.polygons[std::size_t(op.index)]); break;
        case Impl::Op::feature: target.write_feature(); break;
        case Impl::Op::style: {
            const auto& st = m.styles[std::size_t(op.index)];
            target.add_style(st.layer, st.qml, st.description, st.style_name, st.use_as_default);
            break;
        }
        }
    }
    m.ops = {};
    m.texts = {};
    m.polygons = {};
    m.begins = {};
    m.styles = {};
    m.layers_begun = 0;
}

VectorWriter::~VectorWriter() {
    if (!m_impl) return;  // moved from
    Impl& m = *m_impl;
    if (m.feature) OGR_F_Destroy(m.feature);
    if (m.ds) GDALClose(m.ds);
    if (m.srs) OSRDestroySpatialReference(m.srs);
    if (!m.committed && !m.tmp.empty()) {
        std::error_code ec;
        for (const auto& f : vector_output_files(m.tmp)) fs::remove(f, ec);
        fs::remove(m.tmp + "-journal", ec);
        fs::remove(m.tmp + "-wal", ec);
        fs::remove(m.tmp + "-shm", ec);
    }
    if (!m.tmp.empty()) release_temporary(m.tmp);
}

const std::string& VectorWriter::path() const noexcept { return m_impl->path; }

void VectorWriter::begin_layer(const std::string& name, GeomType geom, const std::vector<FieldDef>& fields,
                               const std::string& description) {
    Impl& m = *m_impl;
    m.end_layer();
    // One layer per file (check_vector_output refuses these before any work; this is the net).
    if (m.layers_begun++ > 0 && m.driver != "GPKG" && m.driver != "SQLite")
        throw UsageError(unit, m.path + ": this format holds one layer per file; use .gpkg");
    if (m.recording) {
        m.ops.push_back({Impl::Op::begin, 0, std::int64_t(m.begins.size())});
        m.begins.push_back({name, geom, fields, description});
        return;
    }
    const OGRwkbGeometryType t = geom == GeomType::point          ? wkbPoint
                                 : geom == GeomType::multipolygon ? wkbMultiPolygon
                                                                  : wkbNone;
    const std::string desc_opt = "DESCRIPTION=" + description;
    // HOTSPOT_GPKG_RTREE=gdal (environment or GDAL config) leaves the index to GDAL.
    m.bulk_rtree = m.driver == "GPKG" && t != wkbNone &&
                   std::string(CPLGetConfigOption("HOTSPOT_GPKG_RTREE", "bulk")) != "gdal";
    m.box.reset();
    const char* opts[] = {m.bulk_rtree ? "SPATIAL_INDEX=NO" : "SPATIAL_INDEX=YES", description.empty() ? nullptr : desc_opt.c_str(), nullptr};
    m.layer = GDALDatasetCreateLayer(m.ds, name.c_str(), t == wkbNone ? nullptr : m.srs, t,
                                     m.driver == "GPKG" ? const_cast<char**>(opts) : nullptr);
    if (!m.layer) m.fail("cannot create layer " + name);
    m.layer_name = name;
    m.geom = geom;
    for (const auto& f : fields) {
        const OGRFieldType ft = f.type == FieldType::integer ? OFTInteger64
                                : f.type == FieldType::real  ? OFTReal
                                                             : OFTString;
        OGRFieldDefnH fd = OGR_Fld_Create(f.name.c_str(), ft);
        const OGRErr e = OGR_L_CreateField(m.layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE) m.fail("cannot create field " + f.name + " in layer " + name);
    }
    if (OGR_L_StartTransaction(m.layer) != OGRERR_NONE) m.fail("cannot start writing layer " + name);
    m.feature = OGR_F_Create(OGR_L_GetLayerDefn(m.layer));
}

void VectorWriter::set_string(int field, std::string_view value) {
    if (m_impl->recording) {
        m_impl->ops.push_back({Impl::Op::text, field, std::int64_t(m_impl->texts.size())});
        m_impl->texts.emplace_back(value);
        return;
    }
    // OGR copies the value; a std::string makes it NUL-terminated.
    if (m_impl->driver == "CSV" && needs_formula_guard(value)) {
        OGR_F_SetFieldString(m_impl->feature, field, ("'" + std::string(value)).c_str());
        return;
    }
    OGR_F_SetFieldString(m_impl->feature, field, std::string(value).c_str());
}

bool needs_formula_guard(std::string_view value) noexcept {
    if (value.empty()) return false;
    const char c = value.front();
    if (c != '=' && c != '+' && c != '-' && c != '@' && c != '\t' && c != '\r') return false;
    // A plain number ("-1.25", "+3", "-2e5") is data a spreadsheet reads as a number, not a
    // formula: left alone, so negative eastings and changes stay numbers.
    std::string_view v = value;
    if (c == '+' || c == '-') v.remove_prefix(1);
    double d = 0;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    return !((c == '+' || c == '-') && !v.empty() && ec == std::errc() && p == v.data() + v.size());
}
void VectorWriter::set_integer(int field, std::int64_t value) {
    if (m_impl->recording) return m_impl->ops.push_back({Impl::Op::integer, field, value});
    OGR_F_SetFieldInteger64(m_impl->feature, field, value);
}
void VectorWriter::set_real(int field, double value) {
    if (m_impl->recording) return m_impl->ops.push_back({Impl::Op::real, field, 0, value});
    if (std::isnan(value))
        OGR_F_SetFieldNull(m_impl->feature, field);
    else
        OGR_F_SetFieldDouble(m_impl->feature, field, value);
}
void VectorWriter::set_point(double x, double y) {
    if (m_impl->recording) return m_impl->ops.push_back({Impl::Op::point, 0, 0, x, y});
    OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(g, 0, x, y);
    OGR_F_SetGeometryDirectly(m_impl->feature, g);
    m_impl->box = detail::rtree_entry(0, x, x, y, y);
}
void VectorWriter::set_multipolygon(const MultiPolygon& mp) {
    if (m_impl->recording) {
        m_impl->ops.push_back({Impl::Op::polygon, 0, std::int64_t(m_impl->polygons.size())});
        m_impl->polygons.push_back(mp);
        return;
    }
    OGRGeometryH g = detail::to_ogr_multipolygon(mp);
    Impl& m = *m_impl;
    // The envelope GDAL writes into the geometry's header and its own index reads back; an
    // empty geometry is not indexed (GDAL's triggers: NOT ST_IsEmpty).
    m.box.reset();
    if (!OGR_G_IsEmpty(g)) {
        OGREnvelope env;
        OGR_G_GetEnvelope(g, &env);
        m.box = detail::rtree_entry(0, env.MinX, env.MaxX, env.MinY, env.MaxY);
    }
    OGR_F_SetGeometryDirectly(m.feature, g);
}

void VectorWriter::write_feature() {
    Impl& m = *m_impl;
    if (m.recording) return m.ops.push_back({Impl::Op::feature});
    if (OGR_L_CreateFeature(m.layer, m.feature) != OGRERR_NONE) m.fail("cannot write a feature of " + m.layer_name);
    if (m.bulk_rtree && m.box) {
        m.box->fid = OGR_F_GetFID(m.feature);
        m.boxes.push_back(*m.box);
    }
    m.box.reset();
    OGR_F_Destroy(m.feature);
    m.feature = OGR_F_Create(OGR_L_GetLayerDefn(m.layer));
}

bool VectorWriter::add_style(const std::string& layer, const std::string& qml, const std::string& description,
                             const std::string& style_name, bool use_as_default) {
    Impl& m = *m_impl;
    if (m.driver != "GPKG") return false;
    if (m.recording) {
        m.ops.push_back({Impl::Op::style, 0, std::int64_t(m.styles.size())});
        m.styles.push_back({layer, qml, description, style_name, use_as_default});
        return true;
    }
    m.end_layer();
    // The table QGIS itself creates (as an OGR attribute layer, FID "id") when it saves a
    // style into a GeoPackage; QGIS applies the row with useAsDefault on load.
    OGRLayerH styles = GDALDatasetGetLayerByName(m.ds, "layer_styles");
    if (!styles) {
        const char* opts[] = {"FID=id", nullptr};
        styles = GDALDatasetCreateLayer(m.ds, "layer_styles", nullptr, wkbNone, const_cast<char**>(opts));
        if (!styles) m.fail("cannot create the layer_styles table");
        const std::pair<const char*, OGRFieldType> fields[] = {
            {"f_table_catalog", OFTString}, {"f_table_schema", OFTString}, {"f_table_name", OFTString},
            {"f_geometry_column", OFTString}, {"styleName", OFTString}, {"styleQML", OFTString},
            {"styleSLD", OFTString}, {"useAsDefault", OFTInteger}, {"description", OFTString},
            {"owner", OFTString}, {"ui", OFTString}, {"update_time", OFTDateTime}};
        for (const auto& [name, type] : fields) {
            OGRFieldDefnH fd = OGR_Fld_Create(name, type);
            if (std::string(name) == "useAsDefault") OGR_Fld_SetSubType(fd, OFSTBoolean);
            OGR_L_CreateField(styles, fd, TRUE);
            OGR_Fld_Destroy(fd);
        }
    }
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(styles));
    auto set = [&](const char* field, const std::string& v) {
        OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, field), v.c_str());
    };
    set("f_table_catalog", "");
    set("f_table_schema", "");
    set("f_table_name", layer);
    set("f_geometry_column", m.geom_column(layer));
    set("styleName", style_name.empty() ? layer : style_name);
    set("styleQML", qml);
    set("styleSLD", "");
    OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "useAsDefault"), use_as_default ? 1 : 0);
    set("description", description);
    set("owner", "hotspot");
    set("ui", "");
    // A fixed time: the same run gives the same file.
    OGR_F_SetFieldDateTime(f, OGR_F_GetFieldIndex(f, "update_time"), 2000, 1, 1, 0, 0, 0, 100);
    const OGRErr e = OGR_L_CreateFeature(styles, f);
    OGR_F_Destroy(f);
    if (e != OGRERR_NONE) m.fail("cannot store the style of " + layer);
    return true;
}

void VectorWriter::commit() {
    Impl& m = *m_impl;
    if (m.recording) throw UsageError(unit, "commit: a recorder writes no file; replay it into a writer");
    m.end_layer();
    {
        // GDAL 3.6's GDALClose returns nothing: errors while closing (a full disk while the
        // GeoPackage builds its spatial indexes) only reach the error handler.
        detail::GdalErrorScope errors;
        GDALClose(m.ds);
        m.ds = nullptr;
        if (!errors.m_errors.empty())
            throw OutputError(unit, m.path, "could not be completed (" + errors.last_error() +
                                                "); the disk may be full; nothing was written under this name");
    }
    try {
        detail::write_gpkg_rtrees(m.tmp, std::move(m.rtrees));
    } catch (const detail::RtreeWriteError& e) {
        throw OutputError(unit, m.path,
                          (e.table.empty() ? std::string("the spatial indexes") : "the spatial index of layer " + e.table) +
                              " could not be written (" + e.what() + "); the disk may be full; nothing was written under this name");
    }
    std::error_code ec;
    const auto tmp_files = vector_output_files(m.tmp), final_files = vector_output_files(m.path);
    for (std::size_t i = 0; i < tmp_files.size(); ++i) {
        if (!fs::exists(tmp_files[i], ec)) {  // a sidecar this file does not have: no stale one either
            if (i > 0) fs::remove(final_files[i], ec);
            continue;
        }
        fs::rename(tmp_files[i], final_files[i], ec);  // overwrite was checked in the constructor
        if (ec) throw OutputError(unit, final_files[i], "cannot be renamed into place: " + ec.message());
    }
    m.committed = true;
}

} // namespace hotspot

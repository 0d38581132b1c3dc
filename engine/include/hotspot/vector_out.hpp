#pragma once
/// @file vector_out.hpp
/// Writing vector layers (GeoPackage by default; other OGR formats by extension) with no
/// GDAL types in the interface. The dataset is written under a temporary name in the target
/// folder and renamed on commit(), so a failed or killed run never leaves a half file under
/// the final name. Styles (QGIS QML) go into the GeoPackage's `layer_styles` table so QGIS
/// applies them on load.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot {

enum class FieldType { string, integer, real };

struct FieldDef {
    std::string name;
    FieldType type = FieldType::string;
};

enum class GeomType { none, point, multipolygon };

/// Whether a text cell written to a CSV output must be prefixed with `'` so a spreadsheet shows
/// it as text instead of running it as a formula (CSV injection, OWASP): it starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return and is not a plain number (`-1.25` is left alone).
/// VectorWriter applies it to string fields of `.csv` outputs; numeric fields are never touched.
bool needs_formula_guard(std::string_view value) noexcept;

class VectorWriter {
public:
    /// @param path final output path (.gpkg, .geojson, .fgb, .shp, ...).
    /// @param crs CRS of the geometries ("EPSG:27700").
    /// @param overwrite replace an existing file; else an existing file is an OutputError.
    /// @throws OutputError when the path exists (without overwrite), or cannot be created.
    VectorWriter(const std::string& path, const std::string& crs, bool overwrite);
    ~VectorWriter();  ///< removes the temporary file unless commit() succeeded
    VectorWriter(const VectorWriter&) = delete;
    VectorWriter& operator=(const VectorWriter&) = delete;
    VectorWriter(VectorWriter&&) noexcept;
    VectorWriter& operator=(VectorWriter&&) noexcept;

    /// A writer that writes no file: it keeps every call (layers, features, styles) in memory,
    /// in order, until replay_into() makes the same calls on a real writer. `hotspot run`
    /// analyses its profiles concurrently and replays their layers in profile order, so its
    /// GeoPackage is the same, byte for byte, whatever the thread count. `like` gives the
    /// format: add_style's answer and the one-layer-per-file rule are the target's.
    /// Memory: about 32 bytes per call plus the text and geometry it was given.
    static VectorWriter recorder(const VectorWriter& like);
    /// Makes every recorded call on `target`, in the order made, then forgets them.
    /// @throws UsageError on a writer that is not a recorder; OutputError from `target`.
    void replay_into(VectorWriter& target);

    /// Starts a layer (ending the previous one). Field names must be unique.
    /// @param description the layer's description (GeoPackage: gpkg_contents.description,
    ///        shown by QGIS as the layer abstract); ignored by formats without one.
    void begin_layer(const std::string& name, GeomType geom, const std::vector<FieldDef>& fields,
                     const std::string& description = {});
    void set_string(int field, std::string_view value);
    void set_integer(int field, std::int64_t value);
    void set_real(int field, double value);
    void set_point(double x, double y);
    void set_multipolygon(const MultiPolygon& mp);
    /// Writes the feature built by the set_* calls and starts a fresh one.
    void write_feature();
    /// Stores a QGIS style for `layer` in the GeoPackage's layer_styles table. QGIS applies
    /// the row with useAsDefault on load and lists the others under Styles > Load Style.
    /// @param style_name the name QGIS lists (empty: the layer name).
    /// @param use_as_default whether QGIS applies this style on load (one per layer).
    /// Ignored (returns false) for formats other than GeoPackage.
    bool add_style(const std::string& layer, const std::string& qml, const std::string& description,
                   const std::string& style_name = {}, bool use_as_default = true);
    /// Closes the dataset and renames it to the final path.
    void commit();

    const std::string& path() const noexcept;

private:
    VectorWriter();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace hotspot

#pragma once
/// @file areas_io.hpp
/// Reading area layers (wards, LSOAs, any polygon layer) through OGR, transformed to the
/// working CRS, with invalid polygons repaired by GEOS MakeValid (a warning names each one).

#include <string>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot {

/// One `--areas NAME=PATH[:CODE_FIELD[:NAME_FIELD]]` argument.
struct AreaSpec {
    std::string name;        ///< short name used in output fields ("ward", "lsoa")
    std::string path;
    std::string code_field;  ///< empty: detected (a field ending in CD / code)
    std::string name_field;  ///< empty: detected (a field ending in NM / name)

    /// Parses "NAME=PATH[:CODE[:NAME]]". @throws UsageError when malformed.
    static AreaSpec parse(const std::string& text);
};

/// An area layer in the working CRS. Features keep their source order.
struct AreaLayer {
    std::string name;
    std::string path;
    std::string code_field, name_field;
    std::vector<std::string> codes;
    std::vector<std::string> names;
    std::vector<MultiPolygon> polygons;
    Bounds bounds;                      ///< of all polygons
    std::vector<std::string> warnings;  ///< repairs, skipped empty features
    std::string crs_operation;
    double crs_accuracy_m = -1;

    std::size_t size() const noexcept { return codes.size(); }
};

/// @throws InputError (file, feature, field) for unreadable layers, missing fields,
///         duplicate codes, a layer with no CRS; UsageError for a bad working CRS.
AreaLayer read_area_layer(const AreaSpec& spec, const std::string& working_crs = "EPSG:27700");

} // namespace hotspot

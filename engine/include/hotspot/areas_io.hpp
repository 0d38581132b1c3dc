#pragma once
/// @file areas_io.hpp
/// Reading area layers (wards, LSOAs, any polygon layer) through OGR, transformed to the
/// working CRS, with invalid polygons repaired by GEOS MakeValid (a warning names each one).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hotspot/geocode.hpp"
#include "hotspot/geometry.hpp"

namespace hotspot {

/// One `--areas NAME=PATH[:CODE_FIELD[:NAME_FIELD]]` argument.
struct AreaSpec {
    std::string name;        ///< short name used in output fields ("ward", "lsoa")
    std::string path;
    std::string code_field;  ///< empty: detected (a field ending in CD / code)
    std::string name_field;  ///< empty: detected (a field ending in NM / name)
    /// OGR SQL attribute filter (`--areas-where NAME=SQL`, `where` in [[areas]]); empty: none.
    /// GDAL's PostgreSQL driver runs it on the server (postgis_in.hpp apply_where).
    std::string where;

    /// Parses "NAME=PATH[:CODE[:NAME]]"; a PG: PATH takes the fields after its table:
    /// "lsoa=PG:dbname=gis|layername=ons.lsoa21:LSOA21CD:LSOA21NM". @throws UsageError when malformed.
    static AreaSpec parse(const std::string& text);
};

/// Sets each `--areas-where NAME=SQL` (an OGR SQL filter) on the area named NAME.
/// @throws UsageError (prefixed `unit`) when an item is not NAME=SQL or names no area.
void set_area_filters(const std::vector<AreaSpec*>& areas, const std::vector<std::string>& items, std::string_view unit);

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

/// Lines for the console saying, layer by layer, how many of `incidents` lie outside each
/// (`outside[i]` for `layers[i]`), as report_outside in geocode.hpp does for one layer.
/// @throws InputError (exit 3) when incidents exist and `outside_all` of them (those in no
///         layer at all) is every one.
std::vector<std::string> report_outside_layers(std::string_view unit,
                                               const std::vector<const AreaLayer*>& layers,
                                               const std::vector<std::uint64_t>& outside,
                                               std::uint64_t incidents, std::uint64_t outside_all);

/// Refuses a layer whose areas overlap where incidents lie, for rates (`rates`, `run`): the
/// residents of an overlap would be counted in both areas (a layer mixing 2011 and 2021 LSOAs)
/// and incidents there go to the first area only. The overlap is found from the incidents, as
/// geocode's in_several count is: a pair of areas counts when at least `min_shared` incidents
/// lie in both and their intersection (GEOS) covers at least 100 m², so the sub-square-metre
/// slivers of generalised boundaries do not trip it even where a snap point lies in one.
/// @throws InputError naming the overlapping codes and what to do.
void refuse_overlapping_areas(std::string_view unit, const AreaLayer& layer, const AreaIndex& index,
                              std::span<const double> x, std::span<const double> y,
                              const GeocodeResult& placed, std::uint64_t min_shared = 2);

/// @throws InputError (file, feature, field) for unreadable layers, missing fields,
///         duplicate codes, a layer with no CRS; UsageError for a bad working CRS.
AreaLayer read_area_layer(const AreaSpec& spec, const std::string& working_crs = "EPSG:27700");

} // namespace hotspot

#include "postgis_in.hpp"

#include "gdal_env.hpp"
#include "hotspot/error.hpp"

namespace hotspot::detail {

void apply_where(OGRLayerH layer, const std::string& where, const std::string& path, const char* unit,
                 const std::string& option) {
    if (where.empty()) return;
    GdalErrorScope errors;
    if (OGR_L_SetAttributeFilter(layer, where.c_str()) != OGRERR_NONE)
        throw InputError(unit, path, 0, option,
                         "the filter '" + where + "' cannot be applied (" + errors.last_error() +
                             "); check the column names and the quoting ('text' in single quotes)");
}

void refuse_where_for_csv(const std::string& where, const std::vector<std::string>& files, const char* unit,
                          bool (*is_csv)(const std::string&)) {
    if (where.empty()) return;
    for (const auto& f : files)
        if (is_csv(f))
            throw UsageError(unit, f + ": --where filters GeoPackage and PG: sources only; a CSV is read "
                                       "whole (filter it first, or load it into the database)");
}

} // namespace hotspot::detail

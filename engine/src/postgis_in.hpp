#pragma once
// Reading from PostGIS (and other OGR sources) with a filter the server runs: `--where`.
// Kept apart from incidents_io.cpp's reading loop; called from it in two lines.

#include <ogr_api.h>
#include <string>
#include <vector>

namespace hotspot::detail {

/// Sets `where` (OGR SQL) as the layer's attribute filter; nothing when empty. GDAL's
/// PostgreSQL driver sends it to the server inside the query's WHERE clause.
/// `option` is how the user gave it, named in the error ("--where", "--areas-where lsoa").
/// @throws InputError naming `path`, `option` and the filter when OGR refuses it (unknown
///         column, syntax).
void apply_where(OGRLayerH layer, const std::string& where, const std::string& path, const char* unit,
                 const std::string& option);

/// @throws UsageError when `where` is set and one of `files` is a CSV (read by our own
/// reader, which has no SQL): the filter would silently not apply to it.
void refuse_where_for_csv(const std::string& where, const std::vector<std::string>& files, const char* unit,
                          bool (*is_csv)(const std::string&));

} // namespace hotspot::detail

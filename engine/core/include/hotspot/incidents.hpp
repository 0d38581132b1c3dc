#pragma once
/// @file incidents.hpp
/// The columnar incident table every stage works on, and the table of rejected rows.
/// Coordinates are in the working CRS (metres). Every row keeps its original attributes
/// (as text) and where it came from (file and line, or feature id), so nothing is lost.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot {

/// A column of strings kept in one buffer (a million rows of a dozen fields would otherwise
/// cost a std::string, 32 bytes plus a heap block, per cell).
class StringColumn {
public:
    void push_back(std::string_view s) {
        m_data.append(s);
        m_offsets.push_back(m_data.size());
    }
    std::string_view operator[](std::size_t i) const noexcept {
        return std::string_view(m_data).substr(m_offsets[i], m_offsets[i + 1] - m_offsets[i]);
    }
    std::size_t size() const noexcept { return m_offsets.size() - 1; }
    void reserve(std::size_t rows, std::size_t bytes) {
        m_offsets.reserve(rows + 1);
        m_data.reserve(bytes);
    }

private:
    std::string m_data;
    std::vector<std::uint64_t> m_offsets{0};
};

/// No date known.
inline constexpr std::int32_t no_date = std::numeric_limits<std::int32_t>::min();

/// Which original fields carry a meaning the engine uses (-1: none).
struct FieldRoles {
    int id = -1;            ///< incident / crime reference (duplicates are rejected)
    int category = -1;      ///< crime type / offence category
    int offence_code = -1;  ///< Home Office offence code or force code
    int date = -1;          ///< date or date-time
    int time = -1;          ///< time of day (when separate from the date)
    int month = -1;         ///< police.uk "Month" (YYYY-MM)
    int location_type = -1; ///< location type (street, dwelling, licensed premises, ...)
    int mo_text = -1;       ///< free-text modus operandi
    int lsoa_code = -1;     ///< the source's own LSOA code (police.uk supplies one)
    int street = -1;        ///< street / location text (police.uk "Location": "On or near ...")
    int x = -1;             ///< easting / longitude
    int y = -1;             ///< northing / latitude
    int precision = -1;     ///< location_precision, added when rows are placed by postcode (postcode.hpp)
};

/// Incidents kept after reading: one entry per row in every vector.
struct IncidentTable {
    std::vector<std::string> field_names;  ///< original attribute names, in source order
    std::vector<StringColumn> fields;      ///< one per field name, original text
    FieldRoles roles;

    std::vector<double> x;                    ///< easting in the working CRS, metres
    std::vector<double> y;                    ///< northing in the working CRS, metres
    std::vector<std::int32_t> date_days;      ///< days since 1970-01-01, or no_date
    std::vector<std::int16_t> minute_of_day;  ///< 0..1439, or -1 when the time is unknown
    std::vector<std::uint32_t> category;      ///< index into `categories`
    std::vector<std::string> categories;      ///< distinct category values, first-seen order
    std::vector<std::uint32_t> source_file;   ///< index into `source_files`
    std::vector<std::uint64_t> source_line;   ///< 1-based line of the record (CSV) or feature id
    std::vector<std::string> source_files;    ///< paths as given

    std::size_t size() const noexcept { return x.size(); }
};

/// Why a row was rejected.
enum class RejectReason : std::uint8_t {
    missing_coordinate,  ///< blank x or y (police.uk "no location")
    unparsable_coordinate,
    non_finite_coordinate,
    zero_zero,           ///< (0, 0): a placeholder, not a place
    swapped_lat_lon,     ///< latitude and longitude apparently swapped
    looks_like_lon_lat,  ///< metres expected, values look like degrees
    outside_crs_area,    ///< outside the source CRS's area of use
    duplicate_id,        ///< the id column repeats an earlier row's id
    bad_geometry,        ///< an OGR feature whose geometry is not a point (a line, a polygon)
    bad_date,            ///< a date that cannot be read (only when dates are required)
    wrong_field_count,   ///< a CSV row with more or fewer fields than the header
    transform_failed,    ///< PROJ could not transform the coordinate
    multipart_point,     ///< a MultiPoint of several points: not one place
    location_outlier,    ///< far outside the bulk of the incidents (ReadOptions::screen_outliers)
    unknown_postcode,    ///< placed by postcode, and the postcode is blank, malformed or not in the lookup
};

/// A short machine-readable name of the reason ("missing_coordinate"...).
std::string_view reason_name(RejectReason r) noexcept;
/// A sentence saying what is wrong and what to do.
std::string_view reason_text(RejectReason r) noexcept;

/// Rejected rows with their original fields and the reason.
struct RejectTable {
    std::vector<std::string> field_names;
    std::vector<StringColumn> fields;
    std::vector<RejectReason> reason;
    StringColumn detail;                    ///< the offending value(s)
    std::vector<std::uint32_t> source_file;
    std::vector<std::uint64_t> source_line;
    std::vector<std::string> source_files;

    std::size_t size() const noexcept { return reason.size(); }
};

} // namespace hotspot

#pragma once
/// @file incidents.hpp
/// The columnar incident table every stage works on, and the table of rejected rows.
/// Coordinates are in the working CRS (metres). Every row keeps its original attributes
/// (as text) and where it came from (file and line, or feature id), so nothing is lost.

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot {

/// A column of strings, compact (issue 20: memory per kept incident).
///
/// Rows are grouped in blocks of 256. A block's text lies contiguous in a page (pages grow
/// from 4 KiB to 1 MiB, so a column never copies its whole text to grow), and each row keeps
/// only the 2-byte end of its value within its block: 2 bytes per cell beside the text, where
/// an 8-byte offset into one growing buffer cost 8 and a regrowth copy. A block whose text
/// passes 64 KiB (long free text) switches to 4-byte ends. Values are any bytes; a value or a
/// block of 4 GiB or more throws std::length_error.
class StringColumn {
public:
    StringColumn() = default;
    StringColumn(const StringColumn& other);
    StringColumn& operator=(const StringColumn& other);
    StringColumn(StringColumn&&) noexcept = default;
    StringColumn& operator=(StringColumn&&) noexcept = default;
    ~StringColumn() = default;

    /// Appends a value. Blank values at the end are counted, not stored, until a value with
    /// text follows them: a column left blank (ReadOptions::keep_text) holds nothing.
    void push_back(std::string_view s) {
        if (s.empty()) ++m_size;
        else push_text(s);
    }
    std::string_view operator[](std::size_t i) const noexcept {
        if (i >= m_stored) return {};
        const Block& b = m_blocks[i >> block_bits];
        const std::size_t j = i & (block_rows - 1);
        std::uint32_t start, end;
        if (b.wide < 0) {
            end = m_end16[i];
            start = j ? m_end16[i - 1] : 0;
        } else {
            const std::uint32_t* w = m_wide[std::size_t(b.wide)].data();
            end = w[j];
            start = j ? w[j - 1] : 0;
        }
        return std::string_view(b.text + start, end - start);
    }
    std::size_t size() const noexcept { return m_size; }
    /// Room for `rows` rows (the text needs no reservation: it grows page by page).
    void reserve(std::size_t rows, std::size_t bytes = 0);
    /// Gives back what was reserved and not used (the last page's tail, spare row capacity).
    void shrink_to_fit();
    /// Bytes held on the heap (text pages, row ends, blocks), for measurements.
    std::size_t heap_bytes() const noexcept;

private:
    static constexpr unsigned block_bits = 8;
    static constexpr std::size_t block_rows = std::size_t(1) << block_bits;
    struct Block {
        const char* text;   ///< the block's first byte, in some page
        std::uint32_t used; ///< bytes of text in the block
        std::int32_t wide;  ///< index into m_wide, or -1 while the 2-byte ends suffice
    };
    struct Page {
        std::unique_ptr<char[]> data;
        std::size_t cap = 0;
    };
    char* room_for(Block& b, std::size_t n);
    void push_text(std::string_view s);  ///< stores the blanks counted before it, then s
    void store(std::string_view s);      ///< stores row m_stored

    std::vector<Block> m_blocks;
    std::vector<std::uint16_t> m_end16;            ///< per row; unused in a wide block
    std::vector<std::vector<std::uint32_t>> m_wide;  ///< per wide block: its rows' ends
    std::vector<Page> m_pages;
    std::size_t m_page_used = 0;  ///< bytes used in m_pages.back()
    std::size_t m_text = 0;       ///< bytes of text in all pages
    std::size_t m_size = 0;
    std::size_t m_stored = 0;     ///< rows stored; those from here to m_size are blank
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

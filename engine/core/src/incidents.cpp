#include "hotspot/incidents.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace hotspot {

StringColumn::StringColumn(const StringColumn& other) {
    reserve(other.size());
    for (std::size_t i = 0; i < other.size(); ++i) push_back(other[i]);
    shrink_to_fit();
}

StringColumn& StringColumn::operator=(const StringColumn& other) {
    if (this != &other) *this = StringColumn(other);
    return *this;
}

// Where the next n bytes of block b go. The last block's text always ends the last page; when
// the page is full the block's text so far moves to a new page (at most one block, < 64 KiB
// unless the block is wide), so no value and no block ever straddles two pages.
char* StringColumn::room_for(Block& b, std::size_t n) {
    if (n > std::size_t(UINT32_MAX) - b.used)
        throw std::length_error("StringColumn: a block of 256 values holds 4 GiB or more of text");
    if (!m_pages.empty() && m_page_used + n <= m_pages.back().cap) return m_pages.back().data.get() + m_page_used;
    constexpr std::size_t min_page = 4096, max_page = std::size_t(2) << 20;  // 2 MiB: a huge page (huge_pages.cpp)
    const std::size_t need = std::size_t(b.used) + n;
    const std::size_t cap = std::max(need, std::clamp(m_text, min_page, max_page));
    Page p{std::make_unique_for_overwrite<char[]>(cap), cap};
    if (b.used > 0) std::memcpy(p.data.get(), b.text, b.used);
    b.text = p.data.get();
    m_page_used = b.used;
    m_pages.push_back(std::move(p));
    return m_pages.back().data.get() + m_page_used;
}

void StringColumn::store(std::string_view s) {
    const std::size_t j = m_stored & (block_rows - 1);
    if (j == 0) m_blocks.push_back({m_pages.empty() ? nullptr : m_pages.back().data.get() + m_page_used, 0, -1});
    Block& b = m_blocks.back();
    char* at = room_for(b, s.size());
    if (!s.empty()) std::memcpy(at, s.data(), s.size());
    b.used += std::uint32_t(s.size());
    m_page_used += s.size();
    m_text += s.size();
    if (b.wide < 0 && b.used > UINT16_MAX) {
        // Long text: this block's ends become 4-byte (its earlier 2-byte ends are copied).
        b.wide = std::int32_t(m_wide.size());
        auto& w = m_wide.emplace_back();
        w.reserve(block_rows);
        for (std::size_t k = m_stored - j; k < m_stored; ++k) w.push_back(m_end16[k]);
    }
    if (b.wide < 0) {
        m_end16.push_back(std::uint16_t(b.used));
    } else {
        m_end16.push_back(0);
        m_wide[std::size_t(b.wide)].push_back(b.used);
    }
    ++m_stored;
}

void StringColumn::push_text(std::string_view s) {
    while (m_stored < m_size) store({});
    store(s);
    ++m_size;
}

void StringColumn::reserve(std::size_t rows, std::size_t) {
    m_end16.reserve(rows);
    m_blocks.reserve((rows + block_rows - 1) / block_rows);
}

void StringColumn::shrink_to_fit() {
    m_end16.shrink_to_fit();
    m_blocks.shrink_to_fit();
    if (m_pages.empty() || m_page_used == m_pages.back().cap) return;
    // The last page's tail: copy the used part to a page of its size and repoint the blocks in it.
    Page& last = m_pages.back();
    const char* old = last.data.get();
    Page p{std::make_unique_for_overwrite<char[]>(std::max<std::size_t>(m_page_used, 1)), std::max<std::size_t>(m_page_used, 1)};
    if (m_page_used > 0) std::memcpy(p.data.get(), old, m_page_used);
    for (auto it = m_blocks.rbegin(); it != m_blocks.rend(); ++it) {
        if (!it->text || it->text < old || it->text > old + last.cap) break;
        it->text = p.data.get() + (it->text - old);
    }
    last = std::move(p);
}

std::size_t StringColumn::heap_bytes() const noexcept {
    std::size_t n = m_end16.capacity() * sizeof(std::uint16_t) + m_blocks.capacity() * sizeof(Block) +
                    m_pages.capacity() * sizeof(Page) + m_wide.capacity() * sizeof(m_wide[0]);
    for (const auto& p : m_pages) n += p.cap;
    for (const auto& w : m_wide) n += w.capacity() * sizeof(std::uint32_t);
    return n;
}

std::string_view reason_name(RejectReason r) noexcept {
    switch (r) {
    case RejectReason::missing_coordinate: return "missing_coordinate";
    case RejectReason::unparsable_coordinate: return "unparsable_coordinate";
    case RejectReason::non_finite_coordinate: return "non_finite_coordinate";
    case RejectReason::zero_zero: return "zero_zero";
    case RejectReason::swapped_lat_lon: return "swapped_lat_lon";
    case RejectReason::looks_like_lon_lat: return "looks_like_lon_lat";
    case RejectReason::outside_crs_area: return "outside_crs_area";
    case RejectReason::duplicate_id: return "duplicate_id";
    case RejectReason::bad_geometry: return "bad_geometry";
    case RejectReason::bad_date: return "bad_date";
    case RejectReason::wrong_field_count: return "wrong_field_count";
    case RejectReason::transform_failed: return "transform_failed";
    case RejectReason::multipart_point: return "multipart_point";
    case RejectReason::location_outlier: return "location_outlier";
    case RejectReason::unknown_postcode: return "unknown_postcode";
    }
    return "unknown";
}

std::string_view reason_text(RejectReason r) noexcept {
    switch (r) {
    case RejectReason::missing_coordinate:
        return "no location: the coordinate fields are blank (police.uk publishes some crimes "
               "without a location)";
    case RejectReason::unparsable_coordinate:
        return "a coordinate is not a number; correct it in the source";
    case RejectReason::non_finite_coordinate:
        return "a coordinate is NaN or infinite; correct it in the source";
    case RejectReason::zero_zero:
        return "the coordinate is (0, 0), a placeholder for an unknown location";
    case RejectReason::swapped_lat_lon:
        return "latitude and longitude appear swapped: the point falls in the CRS's area of use "
               "only with x and y exchanged; check the --x/--y columns";
    case RejectReason::looks_like_lon_lat:
        return "metres were expected but the values look like longitude/latitude degrees; give "
               "--crs EPSG:4326 or check the --x/--y columns";
    case RejectReason::outside_crs_area:
        return "the coordinate lies outside the area of use of its CRS; check --crs and the "
               "coordinate columns";
    case RejectReason::duplicate_id:
        return "the incident id repeats an earlier row's; the first row was kept";
    case RejectReason::bad_geometry:
        return "the feature's geometry is not a point (a line or a polygon); give a point layer";
    case RejectReason::bad_date:
        return "the date cannot be read; use YYYY-MM-DD or DD/MM/YYYY";
    case RejectReason::wrong_field_count:
        return "the row has a different number of fields from the header (a truncated line, "
               "an unquoted delimiter or a stray quote); correct the row in the source";
    case RejectReason::transform_failed:
        return "the coordinate could not be transformed to the working CRS; check --crs";
    case RejectReason::multipart_point:
        return "the feature is a MultiPoint of several points, not one place; split it into "
               "points (ogr2ogr -explodecollections) or keep the first point";
    case RejectReason::location_outlier:
        return "the location lies far outside the bulk of the incidents (beyond 3 interquartile "
               "ranges of easting or northing, and over 5 km from any chain of incidents reaching "
               "the bulk): a mistyped coordinate? Correct it, or give --keep-outliers to keep it";
    case RejectReason::unknown_postcode:
        return "the row is placed by its postcode, and the postcode is blank, not a postcode, or "
               "not in the --postcodes lookup (the detail says which); correct it, or give a lookup "
               "that covers it";
    }
    return "unknown";
}

} // namespace hotspot

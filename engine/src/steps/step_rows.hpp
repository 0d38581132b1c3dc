#pragma once
// The rows a step works on: the ones given, or every row of the table.

#include <cstdint>
#include <vector>

#include "hotspot/incidents.hpp"

namespace hotspot::detail {

/// `*rows`, or every row of `inc` (kept in `all`) when `rows` is nullptr.
inline const std::vector<std::uint32_t>& rows_or_all(const IncidentTable& inc, const std::vector<std::uint32_t>* rows,
                                                     std::vector<std::uint32_t>& all) {
    if (rows) return *rows;
    all.resize(inc.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = std::uint32_t(i);
    return all;
}

} // namespace hotspot::detail

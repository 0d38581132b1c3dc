#pragma once
// The rows a step works on: the ones given, or every row of the table.

#include <cstdint>
#include <vector>

#include "hotspot/error.hpp"
#include "hotspot/incidents.hpp"

namespace hotspot {
class VectorWriter;
}

namespace hotspot::detail {

/// `*rows`, or every row of `inc` (kept in `all`) when `rows` is nullptr.
inline const std::vector<std::uint32_t>& rows_or_all(const IncidentTable& inc, const std::vector<std::uint32_t>* rows,
                                                     std::vector<std::uint32_t>& all) {
    if (rows) return *rows;
    all.resize(inc.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = std::uint32_t(i);
    return all;
}

/// What a step starts from: its incidents (required) and the rows of them it works on.
/// Neither copied nor moved: `rows` may refer to the list of every row held inside.
class StepRows {
    std::vector<std::uint32_t> m_all;  // before `rows`, which may refer to it

public:
    /// @throws UsageError(unit, "no incidents given") when `incidents` is nullptr.
    StepRows(const IncidentTable* incidents, const std::vector<std::uint32_t>* given, const char* unit)
        : inc(incidents ? *incidents : throw UsageError(unit, "no incidents given")),
          rows(rows_or_all(inc, given, m_all)) {}
    /// Also @throws UsageError(unit, "no layer writer given") when `writer` is nullptr (after the
    /// incidents check).
    StepRows(const IncidentTable* incidents, const std::vector<std::uint32_t>* given, const char* unit,
             const VectorWriter* writer)
        : StepRows(writer || !incidents ? incidents : throw UsageError(unit, "no layer writer given"), given, unit) {}
    StepRows(const StepRows&) = delete;
    StepRows& operator=(const StepRows&) = delete;

    const IncidentTable& inc;
    const std::vector<std::uint32_t>& rows;
};

} // namespace hotspot::detail

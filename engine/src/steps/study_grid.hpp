#pragma once
// The Gi* grid over a study area, shared by the Gi* and emerging hot spot steps: the aligned
// grid over the study polygons (or the incidents), the cells whose centre lies inside them, and
// the edge rule of gistar_step.hpp, spelled once here.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/geocode.hpp"
#include "hotspot/geometry.hpp"
#include "hotspot/error.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/incidents.hpp"
#include "hotspot/steps/kde_step.hpp"

namespace hotspot::detail {

class StudyGrid {
public:
    /// Throws InputError (naming the first source file) when no row has a usable location.
    StudyGrid(const IncidentTable& inc, const std::vector<std::uint32_t>& rows, const std::vector<MultiPolygon>* study,
              const AreaIndex* study_index, StudyMasks* masks, double cell_size_m, std::int64_t max_cells,
              const std::string& unit) {
        Bounds extent;
        if (study)
            for (const auto& mp : *study) extent.add(bounds_of(mp));
        else
            for (auto i : rows) extent.add(inc.x[i], inc.y[i]);
        if (extent.empty())
            throw InputError(unit, inc.source_files.empty() ? "" : inc.source_files.front(),
                             "no incident has a usable location; check --x/--y/--crs");
        grid = Grid::aligned(extent, cell_size_m, max_cells);
        index_ = study_index;
        if (study) {
            mask = masks ? masks->of(grid) : rasterize_areas(grid, *study);
            if (!index_) index_ = &own_index_.emplace(*study);
        }
    }
    StudyGrid(const StudyGrid&) = delete;
    StudyGrid& operator=(const StudyGrid&) = delete;

    /// The cell of (x, y), or -1 when it is outside the grid or the study area. The edge rule
    /// (gistar_step.hpp): an incident inside the study area whose cell's centre is not brings its
    /// cell into the study area.
    std::int64_t place(double x, double y) {
        const std::int64_t c = grid.col_of(x), row = grid.row_of(y);
        if (!grid.in_grid(c, row)) return -1;
        const auto k = std::size_t(row * grid.cols + c);
        if (!mask.empty() && !mask[k] && index_->locate(x, y) >= 0) mask[k] = 1;
        return mask.empty() || mask[k] ? std::int64_t(k) : -1;
    }
    bool in_study(std::size_t k) const { return mask.empty() || mask[k]; }

    Grid grid;
    std::vector<std::uint8_t> mask;  ///< 1 = study cell; empty: every cell

private:
    std::optional<AreaIndex> own_index_;
    const AreaIndex* index_ = nullptr;
};

} // namespace hotspot::detail

#include "hotspot/grid.hpp"

#include <cmath>
#include <sstream>

#include "hotspot/error.hpp"

namespace hotspot {

Grid Grid::aligned(const Bounds& b, double cell_size_m, std::int64_t max_cells) {
    if (!std::isfinite(cell_size_m) || cell_size_m <= 0) {
        std::ostringstream m;
        m << "cell size must be a finite number of metres > 0 (got " << cell_size_m << ")";
        throw UsageError("grid", m.str());
    }
    if (b.empty() || !std::isfinite(b.xmin) || !std::isfinite(b.ymax) || !std::isfinite(b.xmax) ||
        !std::isfinite(b.ymin))
        throw UsageError("grid", "the extent is empty: there is nothing to put a grid on");
    Grid g;
    g.cell_size_m = cell_size_m;
    g.origin_x = std::floor(b.xmin / cell_size_m) * cell_size_m;
    g.origin_y = std::ceil(b.ymax / cell_size_m) * cell_size_m;
    // Computed in double first so an absurd request is refused before any integer overflow.
    // Cells are half-open ([west, east), (south, north]: a point on a cell edge goes east and
    // south), so an extent whose east or south edge falls exactly on a cell edge needs one more
    // column or row: coordinates rounded to 100 m (grid references) land there, and were lost.
    const double cols = std::max(1.0, std::floor((b.xmax - g.origin_x) / cell_size_m) + 1);
    const double rows = std::max(1.0, std::floor((g.origin_y - b.ymin) / cell_size_m) + 1);
    if (cols * rows > double(max_cells)) {
        std::ostringstream m;
        m.precision(3);
        m << "a " << cell_size_m << " m grid over " << b.width() / 1000 << " x "
          << b.height() / 1000 << " km would have " << cols * rows << " cells (limit "
          << double(max_cells) << "); use a larger cell size or a smaller extent";
        throw UsageError("grid", m.str());
    }
    g.cols = std::int64_t(cols);
    g.rows = std::int64_t(rows);
    return g;
}

std::int64_t Grid::col_of(double x) const noexcept {
    return std::int64_t(std::floor((x - origin_x) / cell_size_m));
}

std::int64_t Grid::row_of(double y) const noexcept {
    return std::int64_t(std::floor((origin_y - y) / cell_size_m));
}

} // namespace hotspot

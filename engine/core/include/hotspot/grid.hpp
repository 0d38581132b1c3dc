#pragma once
/// @file grid.hpp
/// The aligned raster grid shared by every surface (kernel density, Gi* cells, differences).
/// Rows run north to south (row 0 is the northern edge), as in a GeoTIFF. The grid's origin
/// (west and north edges) is always a whole multiple of the cell size, so every grid of the
/// same cell size overlays every other exactly, whatever its extent.

#include <array>
#include <cstdint>

#include "hotspot/geometry.hpp"

namespace hotspot {

struct Grid {
    double origin_x = 0;     ///< west edge of column 0, metres (a multiple of cell_size_m)
    double origin_y = 0;     ///< north edge of row 0, metres (a multiple of cell_size_m)
    double cell_size_m = 1;  ///< square cells
    std::int64_t cols = 0;
    std::int64_t rows = 0;

    /// Default ceiling on cols × rows accepted by aligned(): 400 million cells (1.6 GB as Float32).
    static constexpr std::int64_t default_max_cells = 400'000'000;

    /// The smallest aligned grid whose cells hold every point of `b`: origin =
    /// (floor(xmin/c)·c, ceil(ymax/c)·c), cols = floor((xmax − origin_x)/c) + 1 and rows =
    /// floor((origin_y − ymin)/c) + 1, so a point on the east or south edge of `b` falls in a
    /// cell (cells are half-open: a point on a cell edge goes east and south).
    /// @throws UsageError if cell_size_m is not finite and > 0, if `b` is empty, or if the grid
    ///         would exceed max_cells (checked before anything is allocated).
    static Grid aligned(const Bounds& b, double cell_size_m,
                        std::int64_t max_cells = default_max_cells);

    std::int64_t size() const noexcept { return cols * rows; }
    double cell_area_m2() const noexcept { return cell_size_m * cell_size_m; }
    /// x of the centre of column c.
    double x_of_col(std::int64_t c) const noexcept { return origin_x + (double(c) + 0.5) * cell_size_m; }
    /// y of the centre of row r.
    double y_of_row(std::int64_t r) const noexcept { return origin_y - (double(r) + 0.5) * cell_size_m; }
    /// Column holding x (may be outside 0..cols-1); a point on a cell edge goes east.
    std::int64_t col_of(double x) const noexcept;
    /// Row holding y (may be outside 0..rows-1); a point on a cell edge goes south.
    std::int64_t row_of(double y) const noexcept;
    bool in_grid(std::int64_t c, std::int64_t r) const noexcept {
        return c >= 0 && r >= 0 && c < cols && r < rows;
    }
    Bounds bounds() const noexcept {
        return {origin_x, origin_y - double(rows) * cell_size_m,
                origin_x + double(cols) * cell_size_m, origin_y};
    }
    /// GDAL-style geotransform {origin_x, cell, 0, origin_y, 0, -cell}.
    std::array<double, 6> geotransform() const noexcept {
        return {origin_x, cell_size_m, 0.0, origin_y, 0.0, -cell_size_m};
    }
};

} // namespace hotspot

#include "hotspot/weights.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

// Tolerance so that a pair exactly at the band (a grid neighbour at 150 m on 10 m cells) is
// included despite rounding in coordinate differences.
constexpr double band_rel_tol = 1e-12;

using util::num;

double weight_of(double d, const DistanceBandOptions& o) {
    if (o.scheme == WeightScheme::binary) return 1.0;
    return 1.0 / std::pow(std::max(d, o.min_distance_m), o.power);
}

} // namespace

double SpatialWeights::row_sum(std::size_t i) const noexcept {
    double s = 0;
    for (double w : weights_of(i)) s += w;
    return s;
}

double SpatialWeights::row_sum_squares(std::size_t i) const noexcept {
    double s = 0;
    for (double w : weights_of(i)) s += w * w;
    return s;
}

void DistanceBandOptions::validate() const {
    if (!(std::isfinite(band_m) && band_m > 0))
        throw UsageError("weights", "band must be > 0 m (got " + num(band_m) + ")");
    if (scheme == WeightScheme::inverse_distance) {
        if (!(std::isfinite(power) && power > 0))
            throw UsageError("weights", "inverse-distance power must be > 0 (got " + num(power) + ")");
        if (!(std::isfinite(min_distance_m) && min_distance_m > 0))
            throw UsageError("weights", "minimum distance must be > 0 m (got " +
                                            num(min_distance_m) + ")");
    }
}

SpatialWeights distance_band_weights(std::span<const Point> points,
                                     const DistanceBandOptions& options) {
    options.validate();
    if (points.size() >= std::size_t(std::numeric_limits<std::int32_t>::max()))
        throw UsageError("weights", "too many points (" + std::to_string(points.size()) +
                                        "); at most 2147483646");
    using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
    using Value = std::pair<BPoint, std::int32_t>;
    std::vector<Value> values;
    values.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i)
        values.emplace_back(BPoint(points[i].x, points[i].y), std::int32_t(i));
    const bgi::rtree<Value, bgi::rstar<16>> tree(values.begin(), values.end());

    const double band = options.band_m;
    const double band2 = band * band * (1 + band_rel_tol);
    SpatialWeights w;
    w.offsets.reserve(points.size() + 1);
    std::vector<Value> hits;
    std::vector<std::pair<std::int32_t, double>> row;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Point p = points[i];
        hits.clear();
        const bg::model::box<BPoint> box(BPoint(p.x - band, p.y - band), BPoint(p.x + band, p.y + band));
        tree.query(bgi::intersects(box), std::back_inserter(hits));
        row.clear();
        for (const auto& [bp, j] : hits) {
            if (std::size_t(j) == i && !options.include_self) continue;
            const double dx = bp.get<0>() - p.x, dy = bp.get<1>() - p.y;
            const double d2 = dx * dx + dy * dy;
            if (d2 > band2) continue;
            row.emplace_back(j, weight_of(std::sqrt(d2), options));
        }
        std::sort(row.begin(), row.end());
        for (const auto& [j, wij] : row) {
            w.neighbours.push_back(j);
            w.weights.push_back(wij);
        }
        w.offsets.push_back(std::int64_t(w.neighbours.size()));
    }
    return w;
}

namespace detail {
std::vector<std::int64_t> disc_half_widths(double band_m, double cell_size_m) {
    const double r = band_m / cell_size_m;
    const double r2 = r * r * (1 + band_rel_tol);
    const auto rmax = std::int64_t(std::floor(r * (1 + band_rel_tol)));
    std::vector<std::int64_t> half(std::size_t(2 * rmax + 1), -1);
    for (std::int64_t dr = -rmax; dr <= rmax; ++dr) {
        std::int64_t h = -1;
        while (double((h + 1) * (h + 1) + dr * dr) <= r2) ++h;
        half[std::size_t(dr + rmax)] = h;
    }
    return half;
}
} // namespace detail

std::vector<std::int64_t> study_area_cells(const Grid& grid, std::span<const std::uint8_t> mask) {
    std::vector<std::int64_t> cells;
    if (mask.empty()) {
        cells.resize(std::size_t(grid.size()));
        for (std::int64_t k = 0; k < grid.size(); ++k) cells[std::size_t(k)] = k;
        return cells;
    }
    for (std::int64_t k = 0; k < grid.size(); ++k)
        if (mask[std::size_t(k)]) cells.push_back(k);
    return cells;
}

SpatialWeights grid_band_weights(const Grid& grid, const DistanceBandOptions& options,
                                 std::span<const std::uint8_t> mask) {
    options.validate();
    if (!mask.empty() && std::int64_t(mask.size()) != grid.size())
        throw UsageError("weights", "mask has " + std::to_string(mask.size()) +
                                        " cells but the grid has " + std::to_string(grid.size()));
    const auto cells = study_area_cells(grid, mask);
    if (cells.size() >= std::size_t(std::numeric_limits<std::int32_t>::max()))
        throw UsageError("weights", "too many cells in the study area; use a coarser grid");
    std::vector<std::int32_t> index(std::size_t(grid.size()), -1);
    for (std::size_t k = 0; k < cells.size(); ++k) index[std::size_t(cells[k])] = std::int32_t(k);

    const auto half = detail::disc_half_widths(options.band_m, grid.cell_size_m);
    const auto rmax = std::int64_t(half.size() / 2);
    SpatialWeights w;
    w.offsets.reserve(cells.size() + 1);
    for (const std::int64_t cell : cells) {
        const std::int64_t r = cell / grid.cols, c = cell % grid.cols;
        for (std::int64_t dr = -rmax; dr <= rmax; ++dr) {
            const std::int64_t rr = r + dr;
            if (rr < 0 || rr >= grid.rows) continue;
            const std::int64_t h = half[std::size_t(dr + rmax)];
            for (std::int64_t cc = std::max<std::int64_t>(0, c - h);
                 cc <= std::min(grid.cols - 1, c + h); ++cc) {
                const std::int32_t j = index[std::size_t(rr * grid.cols + cc)];
                if (j < 0) continue;
                if (dr == 0 && cc == c && !options.include_self) continue;
                const double d = grid.cell_size_m *
                                 std::sqrt(double(dr * dr + (cc - c) * (cc - c)));
                w.neighbours.push_back(j);
                w.weights.push_back(weight_of(d, options));
            }
        }
        w.offsets.push_back(std::int64_t(w.neighbours.size()));
    }
    return w;
}

void row_standardise(SpatialWeights& weights) {
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const double s = weights.row_sum(i);
        if (s == 0) continue;
        for (auto k = weights.offsets[i]; k < weights.offsets[i + 1]; ++k)
            weights.weights[std::size_t(k)] /= s;
    }
}

SpatialWeights without_self(const SpatialWeights& weights) {
    SpatialWeights out;
    out.offsets.reserve(weights.offsets.size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
        for (auto k = weights.offsets[i]; k < weights.offsets[i + 1]; ++k) {
            if (std::size_t(weights.neighbours[std::size_t(k)]) == i) continue;
            out.neighbours.push_back(weights.neighbours[std::size_t(k)]);
            out.weights.push_back(weights.weights[std::size_t(k)]);
        }
        out.offsets.push_back(std::int64_t(out.neighbours.size()));
    }
    return out;
}

SpatialWeights weights_from_lists(const std::vector<std::vector<std::int32_t>>& lists) {
    SpatialWeights w;
    const auto n = std::int64_t(lists.size());
    for (std::size_t i = 0; i < lists.size(); ++i) {
        auto row = lists[i];
        std::sort(row.begin(), row.end());
        row.erase(std::unique(row.begin(), row.end()), row.end());
        for (auto j : row) {
            if (j < 0 || j >= n)
                throw UsageError("weights", "neighbour " + std::to_string(j) + " of observation " +
                                                std::to_string(i) + " is outside 0.." +
                                                std::to_string(n - 1));
            w.neighbours.push_back(j);
            w.weights.push_back(1.0);
        }
        w.offsets.push_back(std::int64_t(w.neighbours.size()));
    }
    return w;
}

} // namespace hotspot

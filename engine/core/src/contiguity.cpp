#include "hotspot/contiguity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "hotspot/error.hpp"

namespace hotspot {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

struct Edge {
    Point a, b;
    std::int32_t area;
};

double point_segment_distance2(Point p, Point a, Point b) {
    const double vx = b.x - a.x, vy = b.y - a.y;
    const double wx = p.x - a.x, wy = p.y - a.y;
    const double len2 = vx * vx + vy * vy;
    double t = len2 > 0 ? (wx * vx + wy * vy) / len2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const double dx = wx - t * vx, dy = wy - t * vy;
    return dx * dx + dy * dy;
}

} // namespace

void ContiguityOptions::validate() const {
    if (!(std::isfinite(snap_m) && snap_m >= 0))
        throw UsageError("contiguity", "snap must be >= 0 m (got " + std::to_string(snap_m) + ")");
}

std::vector<std::vector<std::int32_t>> queen_neighbours(std::span<const MultiPolygon> areas,
                                                        const ContiguityOptions& options) {
    options.validate();
    if (areas.size() >= std::size_t(std::numeric_limits<std::int32_t>::max()))
        throw UsageError("contiguity", "too many areas (" + std::to_string(areas.size()) + ")");
    using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
    using Box = bg::model::box<BPoint>;
    using Value = std::pair<Box, std::uint32_t>;

    std::vector<Edge> edges;
    for (std::size_t a = 0; a < areas.size(); ++a)
        for (const auto& poly : areas[a])
            for (const auto& ring : poly.rings) {
                const std::size_t m = ring.size();
                for (std::size_t k = 0; k < m; ++k) {
                    const Point p = ring[k], q = ring[(k + 1) % m];
                    edges.push_back({p, q, std::int32_t(a)});
                }
            }
    const double tol = options.snap_m;
    std::vector<Value> boxes;
    boxes.reserve(edges.size());
    for (std::size_t e = 0; e < edges.size(); ++e) {
        const auto& ed = edges[e];
        boxes.emplace_back(Box(BPoint(std::min(ed.a.x, ed.b.x) - tol, std::min(ed.a.y, ed.b.y) - tol),
                               BPoint(std::max(ed.a.x, ed.b.x) + tol, std::max(ed.a.y, ed.b.y) + tol)),
                           std::uint32_t(e));
    }
    const bgi::rtree<Value, bgi::rstar<16>> tree(boxes.begin(), boxes.end());

    const double tol2 = tol * tol; // snap 0 still matches exactly shared vertices (d² = 0)
    std::vector<std::vector<std::int32_t>> nb(areas.size());
    std::vector<Value> hits;
    for (std::size_t a = 0; a < areas.size(); ++a)
        for (const auto& poly : areas[a])
            for (const auto& ring : poly.rings)
                for (const Point p : ring) {
                    hits.clear();
                    tree.query(bgi::intersects(BPoint(p.x, p.y)), std::back_inserter(hits));
                    for (const auto& [box, e] : hits) {
                        const Edge& ed = edges[e];
                        if (std::size_t(ed.area) == a) continue;
                        if (point_segment_distance2(p, ed.a, ed.b) <= tol2) {
                            nb[a].push_back(ed.area);
                            nb[std::size_t(ed.area)].push_back(std::int32_t(a));
                        }
                    }
                }
    for (auto& row : nb) {
        std::sort(row.begin(), row.end());
        row.erase(std::unique(row.begin(), row.end()), row.end());
    }
    return nb;
}

SpatialWeights queen_weights(std::span<const MultiPolygon> areas, const ContiguityOptions& options) {
    return weights_from_lists(queen_neighbours(areas, options));
}

} // namespace hotspot

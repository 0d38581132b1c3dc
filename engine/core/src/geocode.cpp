#include "hotspot/geocode.hpp"

#include <algorithm>
#include <atomic>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <limits>
#include <thread>

#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace hotspot {

unsigned resolve_threads(unsigned requested) noexcept {
    if (requested > 0) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? hw : 1;
}

namespace {

// An edge stored from its lower end (y0 <= y1), so an edge shared by two polygons gives the
// same crossing abscissa, bit for bit, whichever ring it came from.
struct Edge {
    double x0, y0, x1, y1;
};

struct AreaEdges {
    Bounds bounds;
    std::vector<Edge> edges;
    // Edges overlapping each horizontal band of `bounds`.
    double band_h = 1;
    std::vector<std::uint32_t> band_start;  // size bands+1
    std::vector<std::uint32_t> band_edges;

    std::size_t band_of(double y) const noexcept {
        const double b = std::floor((y - bounds.ymin) / band_h);
        const std::size_t nb = band_start.size() - 1;
        if (!(b >= 0)) return 0;
        return std::min(nb - 1, std::size_t(b));
    }

    bool contains(double px, double py) const noexcept {
        if (!(px >= bounds.xmin && px <= bounds.xmax && py >= bounds.ymin && py <= bounds.ymax))
            return false;
        const std::size_t b = band_of(py);
        bool inside = false;
        for (std::uint32_t k = band_start[b]; k < band_start[b + 1]; ++k) {
            const Edge& e = edges[band_edges[k]];
            if (e.y0 <= py && py < e.y1) {
                const double xint = e.x0 + (py - e.y0) * (e.x1 - e.x0) / (e.y1 - e.y0);
                if (px < xint) inside = !inside;
            }
        }
        return inside;
    }

    double distance(double px, double py) const noexcept {
        double best = std::numeric_limits<double>::infinity();
        for (const Edge& e : edges) {
            const double dx = e.x1 - e.x0, dy = e.y1 - e.y0;
            const double len2 = dx * dx + dy * dy;
            double t = len2 > 0 ? ((px - e.x0) * dx + (py - e.y0) * dy) / len2 : 0.0;
            t = std::clamp(t, 0.0, 1.0);
            const double qx = e.x0 + t * dx - px, qy = e.y0 + t * dy - py;
            best = std::min(best, qx * qx + qy * qy);
        }
        return std::sqrt(best);
    }
};

AreaEdges build_edges(const MultiPolygon& mp) {
    AreaEdges a;
    for (const auto& poly : mp)
        for (const auto& ring : poly.rings) {
            const std::size_t n = ring.size();
            if (n < 3) continue;
            for (std::size_t i = 0; i < n; ++i) {
                const Point& p = ring[i];
                const Point& q = ring[(i + 1) % n];
                if (p.x == q.x && p.y == q.y) continue;
                a.bounds.add(p.x, p.y);
                if (p.y < q.y || (p.y == q.y && p.x <= q.x))
                    a.edges.push_back({p.x, p.y, q.x, q.y});
                else
                    a.edges.push_back({q.x, q.y, p.x, p.y});
            }
        }
    const std::size_t nb = std::max<std::size_t>(1, a.edges.size() / 4);
    a.band_h = a.bounds.empty() ? 1.0 : std::max(a.bounds.height() / double(nb), 1e-9);
    a.band_start.assign(nb + 1, 0);  // band_of() reads the band count from here
    std::vector<std::vector<std::uint32_t>> bands(nb);
    for (std::uint32_t k = 0; k < a.edges.size(); ++k) {
        const Edge& e = a.edges[k];
        const std::size_t b0 = a.band_of(e.y0), b1 = a.band_of(e.y1);
        for (std::size_t b = b0; b <= b1; ++b) bands[b].push_back(k);
    }
    for (std::size_t b = 0; b < nb; ++b) {
        a.band_start[b + 1] = a.band_start[b] + std::uint32_t(bands[b].size());
        a.band_edges.insert(a.band_edges.end(), bands[b].begin(), bands[b].end());
    }
    return a;
}

// A point this close to a boundary lies on it (a micrometre: exact for the axis-parallel
// edges of grid-square areas, and far below any survey accuracy for slanted ones).
constexpr double on_edge_m = 1e-6;

using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BBox = bg::model::box<BPoint>;
using Value = std::pair<BBox, std::uint32_t>;

} // namespace

struct AreaIndex::Impl {
    std::vector<AreaEdges> areas;
    bgi::rtree<Value, bgi::rstar<16>> tree;
};

AreaIndex::AreaIndex(const std::vector<MultiPolygon>& polygons) : m_impl(std::make_unique<Impl>()) {
    m_impl->areas.reserve(polygons.size());
    std::vector<Value> values;
    for (std::uint32_t i = 0; i < polygons.size(); ++i) {
        m_impl->areas.push_back(build_edges(polygons[i]));
        const Bounds& b = m_impl->areas.back().bounds;
        if (!b.empty()) values.emplace_back(BBox(BPoint(b.xmin, b.ymin), BPoint(b.xmax, b.ymax)), i);
    }
    m_impl->tree = bgi::rtree<Value, bgi::rstar<16>>(values);  // bulk load (packing)
}

AreaIndex::~AreaIndex() = default;
AreaIndex::AreaIndex(AreaIndex&&) noexcept = default;
AreaIndex& AreaIndex::operator=(AreaIndex&&) noexcept = default;

std::size_t AreaIndex::size() const noexcept { return m_impl->areas.size(); }

bool AreaIndex::contains(std::size_t i, double x, double y) const {
    return m_impl->areas.at(i).contains(x, y);
}

double AreaIndex::distance_to(std::size_t i, double x, double y) const {
    return m_impl->areas.at(i).distance(x, y);
}

std::int32_t AreaIndex::locate(double x, double y, bool* in_several) const {
    std::int32_t best = -1;
    bool several = false;
    const BPoint p(x, y);
    for (auto it = m_impl->tree.qbegin(bgi::intersects(p)); it != m_impl->tree.qend(); ++it) {
        const std::uint32_t i = it->second;
        if (best >= 0 && std::uint32_t(best) < i && several) continue;
        if (m_impl->areas[i].contains(x, y)) {
            if (best < 0) {
                best = std::int32_t(i);
            } else {
                several = true;
                best = std::min(best, std::int32_t(i));
            }
        }
    }
    if (best < 0) {
        // On the outer edge of the layer (the half-open rule gives a point on an area's east or
        // north edge to the neighbour there, and on the layer's outer edge there is none): the
        // area whose boundary it lies on, the first in layer order.
        for (auto it = m_impl->tree.qbegin(bgi::intersects(p)); it != m_impl->tree.qend(); ++it) {
            const auto i = std::int32_t(it->second);
            if ((best < 0 || i < best) && m_impl->areas[std::size_t(i)].distance(x, y) <= on_edge_m) best = i;
        }
    }
    if (in_several) *in_several = several;
    return best;
}

std::int32_t AreaIndex::nearest(double x, double y, double max_d, double* distance_m) const {
    std::int32_t best = -1;
    double best_d = std::numeric_limits<double>::infinity();
    if (max_d > 0) {
        const BBox q(BPoint(x - max_d, y - max_d), BPoint(x + max_d, y + max_d));
        for (auto it = m_impl->tree.qbegin(bgi::intersects(q)); it != m_impl->tree.qend(); ++it) {
            const std::uint32_t i = it->second;
            const double d = m_impl->areas[i].distance(x, y);
            if (d <= max_d && (d < best_d || (d == best_d && std::int32_t(i) < best))) {
                best = std::int32_t(i);
                best_d = d;
            }
        }
    }
    if (distance_m) *distance_m = best_d;
    return best;
}

std::vector<std::uint8_t> rasterize_areas(const Grid& grid, const std::vector<MultiPolygon>& areas) {
    std::vector<std::uint8_t> mask(std::size_t(grid.size()), 0);
    std::vector<double> xs;
    for (const auto& mp : areas) {
        const AreaEdges a = build_edges(mp);
        if (a.bounds.empty()) continue;
        // rows whose centre line can cross the area
        const std::int64_t r0 = std::max<std::int64_t>(0, grid.row_of(a.bounds.ymax) - 1);
        const std::int64_t r1 = std::min<std::int64_t>(grid.rows - 1, grid.row_of(a.bounds.ymin) + 1);
        for (std::int64_t r = r0; r <= r1; ++r) {
            const double y = grid.y_of_row(r);
            xs.clear();
            for (const Edge& e : a.edges)
                if (e.y0 <= y && y < e.y1) xs.push_back(e.x0 + (y - e.y0) * (e.x1 - e.x0) / (e.y1 - e.y0));
            std::sort(xs.begin(), xs.end());
            // inside <=> an odd number of crossings lie east of the centre <=> x in [xs[2j], xs[2j+1])
            for (std::size_t j = 0; j + 1 < xs.size(); j += 2) {
                std::int64_t c = std::max<std::int64_t>(0, std::int64_t(std::ceil((xs[j] - grid.origin_x) / grid.cell_size_m - 0.5)));
                for (; c < grid.cols; ++c) {
                    const double x = grid.x_of_col(c);
                    if (x < xs[j]) continue;
                    if (!(x < xs[j + 1])) break;
                    mask[std::size_t(r * grid.cols + c)] = 1;
                }
            }
        }
    }
    return mask;
}

GeocodeResult geocode(const AreaIndex& index, std::span<const double> x, std::span<const double> y,
                      double snap_m, unsigned threads, const Progress& progress) {
    if (x.size() != y.size()) throw UsageError("geocode", "x and y differ in length");
    if (!(snap_m >= 0) || !std::isfinite(snap_m))
        throw UsageError("geocode", "--snap must be a distance in metres >= 0");
    const std::size_t n = x.size();
    GeocodeResult r;
    r.area.assign(n, -1);
    r.status.assign(n, AreaStatus::outside);
    const unsigned nt = std::max(1u, std::min<unsigned>(resolve_threads(threads), unsigned(n / 4096 + 1)));
    std::vector<std::uint64_t> several(nt, 0);
    std::atomic<std::size_t> done{0};
    std::atomic<bool> cancel{false};
    auto work = [&](unsigned t) {
        const std::size_t lo = n * t / nt, hi = n * (t + 1) / nt;
        for (std::size_t i = lo; i < hi; ++i) {
            if ((i - lo) % 65536 == 65535) {
                done += 65536;
                if (cancel) return;
            }
            bool sev = false;
            std::int32_t a = index.locate(x[i], y[i], &sev);
            if (sev) ++several[t];
            if (a >= 0) {
                r.area[i] = a;
                r.status[i] = AreaStatus::assigned;
            } else if (snap_m > 0) {
                a = index.nearest(x[i], y[i], snap_m);
                if (a >= 0) {
                    r.area[i] = a;
                    r.status[i] = AreaStatus::snapped;
                }
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < nt; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
    if (!progress(1.0, "geocode")) throw Cancelled("geocode");
    r.counts.assign(index.size(), 0);
    for (std::size_t i = 0; i < n; ++i) {
        if (r.area[i] >= 0) ++r.counts[std::size_t(r.area[i])];
        switch (r.status[i]) {
        case AreaStatus::assigned: ++r.assigned; break;
        case AreaStatus::snapped: ++r.snapped; break;
        case AreaStatus::outside: ++r.outside; break;
        }
    }
    for (auto s : several) r.in_several += s;
    return r;
}

std::string report_outside(std::string_view unit, std::string_view what, const std::string& layer_name,
                           const std::string& path, std::uint64_t incidents, std::uint64_t outside) {
    if (outside == 0 || incidents == 0) return "";
    const std::string where = std::string(what) + " of '" + layer_name + "' (" + path + ")";
    if (outside >= incidents)
        throw InputError(std::string(unit), path,
                         "all " + util::thousands(incidents) + " of " + util::thousands(incidents) +
                             " incidents lie outside " + where +
                             "; nothing falls inside, so every count would be 0. Check that the "
                             "incidents and the areas cover the same district and that both CRSs "
                             "are right (--crs for the incidents, the layer's own CRS)");
    return std::string(unit) + ": " + util::thousands(outside) + " of " + util::thousands(incidents) +
           " incidents lie outside " + where + " and are not counted in it";
}

std::vector<std::int32_t> areas_containing(const AreaIndex& index, double x, double y) {
    std::vector<std::int32_t> out;
    for (std::size_t i = 0; i < index.size(); ++i)
        if (index.contains(i, x, y)) out.push_back(std::int32_t(i));
    return out;
}

} // namespace hotspot

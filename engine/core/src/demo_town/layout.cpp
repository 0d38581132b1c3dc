// The demo town's layout: the jittered lattice of LSOA cells, ward rings built from it, and
// point tests on one ring.

#include <map>
#include <set>

#include "demo_town/parts.hpp"
#include "hotspot/error.hpp"

namespace hotspot::demo_detail {

double min_adjacent(const double* spacing, int count, int i) {
    double m = 1e300;
    if (i > 0)
        m = std::min(m, spacing[i - 1]);
    if (i < count)
        m = std::min(m, spacing[i]);
    return m;
}

Lattice make_lattice(Random& rng) {
    Lattice lat;
    std::array<double, n_cols + 1> xs{};
    std::array<double, n_rows + 1> ys{};
    xs[0] = town_west;
    for (int c = 0; c < n_cols; ++c)
        xs[c + 1] = xs[c] + col_width_m[c];
    ys[0] = town_north;
    for (int r = 0; r < n_rows; ++r)
        ys[r + 1] = ys[r] - row_height_m[r];

    // Vertex jitter of up to 12% and edge bends of up to 8% of the smallest adjacent spacing
    // keep every edge inside a band of 20% around its nominal line: cells stay simple polygons.
    lat.vertices.resize((n_rows + 1) * (n_cols + 1));
    for (int r = 0; r <= n_rows; ++r)
        for (int c = 0; c <= n_cols; ++c) {
            const double jx = 0.12 * min_adjacent(col_width_m.data(), n_cols, c);
            const double jy = 0.12 * min_adjacent(row_height_m.data(), n_rows, r);
            const double x = xs[c] + rng.uniform(-jx, jx);
            const double y = ys[r] + rng.uniform(-jy, jy);
            lat.vertices[Lattice::vertex(r, c)] = {round_cm(x), round_cm(y)};
        }

    const int n_edges = (n_rows + 1) * n_cols + n_rows * (n_cols + 1);
    lat.edges.resize(n_edges);
    lat.ends.resize(n_edges);
    auto bend = [&](int id, int a, int b, bool horizontal, double bend_m) {
        const Point pa = lat.vertices[a], pb = lat.vertices[b];
        std::vector<Point> pts{pa};
        for (int k = 1; k <= 2; ++k) {
            const double t = k / 3.0;
            double x = pa.x + t * (pb.x - pa.x);
            double y = pa.y + t * (pb.y - pa.y);
            (horizontal ? y : x) += rng.uniform(-bend_m, bend_m);
            pts.push_back({round_cm(x), round_cm(y)});
        }
        pts.push_back(pb);
        lat.edges[id] = std::move(pts);
        lat.ends[id] = {a, b};
    };
    for (int r = 0; r <= n_rows; ++r)
        for (int c = 0; c < n_cols; ++c)
            bend(Lattice::h_edge(r, c), Lattice::vertex(r, c), Lattice::vertex(r, c + 1), true,
                 0.08 * min_adjacent(row_height_m.data(), n_rows, r));
    for (int r = 0; r < n_rows; ++r)
        for (int c = 0; c <= n_cols; ++c)
            bend(Lattice::v_edge(r, c), Lattice::vertex(r, c), Lattice::vertex(r + 1, c), false,
                 0.08 * min_adjacent(col_width_m.data(), n_cols, c));
    return lat;
}

// The cell's boundary, counter-clockwise (y up): south edge eastwards, east edge northwards,
// north edge westwards, west edge southwards.
std::array<DirectedEdge, 4> cell_edges(int r, int c) {
    return {{{Lattice::h_edge(r + 1, c), true},
             {Lattice::v_edge(r, c + 1), false},
             {Lattice::h_edge(r, c), false},
             {Lattice::v_edge(r, c), true}}};
}

// The outer ring of a union of cells: edges used in both directions are interior and cancel;
// the rest chain into one counter-clockwise ring made of exactly the cells' points.
Ring union_ring(const Lattice& lat, const std::vector<std::pair<int, int>>& cells) {
    std::set<std::pair<int, bool>> directed;
    for (auto [r, c] : cells)
        for (const auto& e : cell_edges(r, c))
            directed.insert({e.edge, e.forward});
    std::map<int, DirectedEdge> from_vertex;
    for (const auto& [edge, forward] : directed) {
        if (directed.count({edge, !forward}))
            continue;
        const int start = forward ? lat.ends[edge].first : lat.ends[edge].second;
        if (!from_vertex.emplace(start, DirectedEdge{edge, forward}).second)
            throw Error(unit, "internal: an area of the demo lattice touches itself at a vertex");
    }
    Ring ring;
    const int first = from_vertex.begin()->first;
    int v = first;
    std::size_t used = 0;
    do {
        const DirectedEdge e = from_vertex.at(v);
        const auto& pts = lat.edges[e.edge];
        if (e.forward)
            ring.insert(ring.end(), pts.begin(), pts.end() - 1);
        else
            ring.insert(ring.end(), pts.rbegin(), pts.rend() - 1);
        v = e.forward ? lat.ends[e.edge].second : lat.ends[e.edge].first;
        ++used;
    } while (v != first);
    if (used != from_vertex.size())
        throw Error(unit, "internal: an area of the demo lattice is not simply connected");
    return ring;
}

// ---------------------------------------------------------------------------------------------
// Point tests on one ring (the demo polygons have no holes).
bool ring_contains(const Ring& ring, Point p) {
    bool inside = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const Point a = ring[i], b = ring[j];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x)
            inside = !inside;
    }
    return inside;
}

// True when p is at least `d` metres from every edge of the ring (squared distances: no sqrt).
bool clear_of_edges(const Ring& ring, Point p, double d) {
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const Point a = ring[j], b = ring[i];
        const double dx = b.x - a.x, dy = b.y - a.y;
        const double len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0;
        t = std::clamp(t, 0.0, 1.0);
        const double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
        if (ex * ex + ey * ey < d * d)
            return false;
    }
    return true;
}

Bounds ring_bounds(const Ring& ring) {
    Bounds b;
    for (const auto& p : ring)
        b.add(p.x, p.y);
    return b;
}

void lay_out_areas(DemoTown& town, const Lattice& lat, Random& pop_rng) {
    for (std::size_t w = 0; w < ward_specs.size(); ++w) {
        DemoWard ward;
        ward.code = "DEMO-W" + two_digits(int(w) + 1);
        ward.name = ward_specs[w].name;
        ward.town_centre = ward_specs[w].kind == WardKind::centre;
        ward.affluent = ward_specs[w].kind == WardKind::affluent;
        std::vector<std::pair<int, int>> cells;
        for (int r = 0; r < n_rows; ++r)
            for (int c = 0; c < n_cols; ++c)
                if (ward_of_cell[r][c] == int(w))
                    cells.push_back({r, c});
        ward.polygon.rings.push_back(union_ring(lat, cells));
        char letter = 'A';
        for (auto [r, c] : cells) {
            DemoLsoa lsoa;
            char code[24];
            std::snprintf(code, sizeof code, "DEMO-L%03d", int(town.lsoas.size()) + 1);
            lsoa.code = code;
            lsoa.name = town.name + " 0" + two_digits(int(w) + 1) + letter++;
            lsoa.ward = w;
            lsoa.polygon.rings.push_back(union_ring(lat, {{r, c}}));
            // Real LSOAs hold 1,000-3,000 people; the centre's small ones are the fullest.
            const double lo = ward.town_centre ? 1800 : ward.affluent ? 1000 : 1300;
            const double hi = ward.town_centre ? 2400 : ward.affluent ? 1350 : 2100;
            lsoa.population = std::int64_t(round_to(pop_rng.uniform(lo, hi), 1.0));
            ward.population += lsoa.population;
            town.lsoas.push_back(std::move(lsoa));
        }
        town.wards.push_back(std::move(ward));
    }
    {
        std::vector<std::pair<int, int>> all;
        for (int r = 0; r < n_rows; ++r)
            for (int c = 0; c < n_cols; ++c)
                all.push_back({r, c});
        town.outline.rings.push_back(union_ring(lat, all));
    }
}

} // namespace hotspot::demo_detail

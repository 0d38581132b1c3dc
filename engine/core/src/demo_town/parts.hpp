#pragma once
// Internal to the demo town (engine/src/demo_town/): what its parts share. The town is built in
// town.cpp from the lattice and areas of layout.cpp and the offences of offences.cpp, and
// written as files by files.cpp. Everything here is deterministic (see demo_town.hpp).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/demo_town.hpp"
#include "hotspot/geometry.hpp"

namespace hotspot::demo_detail {

inline constexpr const char* unit = "demo-data";

// ---------------------------------------------------------------------------------------------
// Portable randomness. std::uniform_real_distribution and std::normal_distribution are not
// specified bit for bit, so the committed demo files would differ between libstdc++ and libc++.
// mt19937_64's raw output is specified, and everything below uses only +, *, / and floor on it.
class Random {
  public:
    explicit Random(std::uint64_t seed) : m_engine(seed) {}

    /// Uniform in [0, 1) with 53 random bits.
    double unit_interval() { return double(m_engine() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * unit_interval(); }
    /// Uniform integer in [0, n).
    std::size_t below(std::size_t n) {
        const auto i = std::size_t(unit_interval() * double(n));
        return std::min(i, n - 1);
    }
    /// Standard normal approximated by the Irwin-Hall sum of 12 uniforms (mean 0, variance 1,
    /// tails cut at 6 sigma): no log/cos, whose last bits vary between maths libraries.
    double normal() {
        double s = 0;
        for (int i = 0; i < 12; ++i)
            s += unit_interval();
        return s - 6.0;
    }
    /// An index drawn with probability proportional to weights[i].
    std::size_t weighted(const std::vector<double>& cumulative) {
        const double u = unit_interval() * cumulative.back();
        const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
        return std::min(std::size_t(it - cumulative.begin()), cumulative.size() - 1);
    }

  private:
    std::mt19937_64 m_engine;
};

inline std::vector<double> cumulative_of(const std::vector<double>& weights) {
    std::vector<double> c(weights.size());
    double s = 0;
    for (std::size_t i = 0; i < weights.size(); ++i)
        c[i] = (s += weights[i]);
    return c;
}

inline double round_to(double v, double step) {
    return std::round(v / step) * step;
}
inline double round_cm(double v) {
    return std::round(v * 100.0) / 100.0;
}

/// "07" for 7.
inline std::string two_digits(int v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d", v);
    return buf;
}

// ---------------------------------------------------------------------------------------------
// Layout: a lattice of 8 columns x 6 rows of LSOAs, row 0 in the north. Narrow middle columns
// and rows make the centre dense (small LSOAs of similar population); the wide outer ones make
// the low-density suburbs.
constexpr int n_cols = 8;
constexpr int n_rows = 6;
constexpr double town_west = 416000.0;
constexpr double town_north = 308000.0;
constexpr std::array<double, n_cols> col_width_m = {1500, 1400, 1200, 700, 700, 1200, 1500, 1800};
constexpr std::array<double, n_rows> row_height_m = {1700, 1500, 700, 700, 1500, 1900};

enum class WardKind { centre, ordinary, affluent };

struct WardSpec {
    const char* name;
    WardKind kind;
};

constexpr std::array<WardSpec, 10> ward_specs = {{
    {"Castle", WardKind::centre},       // W01: town centre
    {"Hollybank", WardKind::ordinary},  // W02: north-west
    {"Northgate", WardKind::ordinary},  // W03: north
    {"Oakhurst", WardKind::affluent},   // W04: north-east, affluent
    {"Riverside", WardKind::ordinary},  // W05: west of the centre
    {"Brookfield", WardKind::ordinary}, // W06: east of the centre
    {"Stanfield", WardKind::ordinary},  // W07: south-west
    {"Millbrook", WardKind::ordinary},  // W08: south
    {"Foxley", WardKind::ordinary},     // W09: south, east of Millbrook
    {"Kingsmead", WardKind::affluent},  // W10: south-east, affluent
}};

// Ward index (into ward_specs) of each lattice cell. Each ward is a simply connected block of
// cells, so its boundary is one ring.
constexpr std::array<std::array<int, n_cols>, n_rows> ward_of_cell = {{
    {1, 1, 2, 2, 2, 3, 3, 3},
    {1, 1, 2, 2, 2, 3, 3, 3},
    {4, 4, 4, 0, 0, 5, 5, 5},
    {6, 6, 6, 0, 0, 5, 5, 5},
    {6, 6, 7, 7, 8, 8, 9, 9},
    {6, 6, 7, 7, 8, 8, 9, 9},
}};

// The lattice: shared vertices and shared edges, so a cell and its neighbour use the very same
// points along their common edge and ward rings are built from the same points again.
struct Lattice {
    std::vector<Point> vertices;           // (n_rows+1) x (n_cols+1), row-major
    std::vector<std::vector<Point>> edges; // each from its start vertex to its end vertex
    std::vector<std::pair<int, int>> ends; // start and end vertex of each edge

    static int vertex(int r, int c) { return r * (n_cols + 1) + c; }
    // Horizontal edge from vertex (r, c) east to (r, c+1).
    static int h_edge(int r, int c) { return r * n_cols + c; }
    // Vertical edge from vertex (r, c) south to (r+1, c).
    static int v_edge(int r, int c) { return (n_rows + 1) * n_cols + r * (n_cols + 1) + c; }
};

struct DirectedEdge {
    int edge;
    bool forward;
};

/// The lattice, its interior vertices jittered by `rng` (layout.cpp).
Lattice make_lattice(Random& rng);
/// The outer ring of a union of lattice cells, counter-clockwise (layout.cpp).
Ring union_ring(const Lattice& lat, const std::vector<std::pair<int, int>>& cells);
/// Point in ring (the demo polygons have no holes).
bool ring_contains(const Ring& ring, Point p);
/// True when p is at least `d` metres from every edge of the ring.
bool clear_of_edges(const Ring& ring, Point p, double d);
Bounds ring_bounds(const Ring& ring);
/// The wards (unions of lattice cells), their LSOAs (one cell each) with populations drawn from
/// `pop_rng`, and the town outline, into `town` (layout.cpp).
void lay_out_areas(DemoTown& town, const Lattice& lat, Random& pop_rng);

// ---------------------------------------------------------------------------------------------
// Offences of the records system and how the background mix spreads them.
enum class Hours { general, shop, night, evening, office };

struct OffenceSpec {
    DemoOffence offence;
    double share;                      // weight in the background mix
    std::array<double, 3> area_factor; // per WardKind: centre, ordinary, affluent
    Hours hours;
    std::vector<const char*> locations;
    std::vector<const char*> mo;
};

/// Relative weight of each hour of the day, per pattern (offences.cpp).
const std::array<double, 24>& hour_weights(Hours h);
/// The background mix of offences (offences.cpp).
const std::vector<OffenceSpec>& offence_specs();
extern const DemoOffence burglary_dwelling, assault_injury, common_assault, possession_cannabis, possession_other;
/// MO texts of the planted hot spots: car key burglary, public place violence, possession.
extern const std::vector<const char*> ckb_mo, ppv_mo, possession_mo;

} // namespace hotspot::demo_detail

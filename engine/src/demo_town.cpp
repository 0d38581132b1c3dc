#include "hotspot/demo_town.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string_view>

#include "hotspot/error.hpp"

namespace hotspot {

namespace {

const char* const unit = "demo-data";

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

std::vector<double> cumulative_of(const std::vector<double>& weights) {
    std::vector<double> c(weights.size());
    double s = 0;
    for (std::size_t i = 0; i < weights.size(); ++i)
        c[i] = (s += weights[i]);
    return c;
}

double round_to(double v, double step) {
    return std::round(v / step) * step;
}
double round_cm(double v) {
    return std::round(v * 100.0) / 100.0;
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

// ---------------------------------------------------------------------------------------------
// Offences of the records system and how the background mix spreads them.
enum class Hours { general, shop, night, evening, office };

// Relative weight of each hour of the day, per pattern.
const std::array<double, 24>& hour_weights(Hours h) {
    static const std::array<double, 24> general = {3, 2, 2, 1, 1, 1, 2, 3, 5, 6, 6, 7,
                                                   7, 7, 7, 8, 8, 8, 8, 7, 6, 5, 5, 4};
    static const std::array<double, 24> shop = {0, 0, 0, 0, 0, 0, 0, 0, 3, 6, 8, 9,
                                                9, 9, 9, 9, 9, 8, 7, 5, 3, 0, 0, 0};
    static const std::array<double, 24> night = {8, 9, 9, 8, 6, 4, 2, 1, 1, 1, 1, 1,
                                                 1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5, 6};
    static const std::array<double, 24> evening = {6, 5, 4, 2, 1, 1, 1, 1, 2, 3, 3, 4,
                                                   4, 4, 5, 6, 7, 7, 8, 8, 8, 8, 8, 7};
    static const std::array<double, 24> office = {1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7,
                                                  7, 7, 7, 7, 6, 5, 3, 2, 2, 1, 1, 1};
    switch (h) {
    case Hours::shop:
        return shop;
    case Hours::night:
        return night;
    case Hours::evening:
        return evening;
    case Hours::office:
        return office;
    case Hours::general:
        break;
    }
    return general;
}

struct OffenceSpec {
    DemoOffence offence;
    double share;                      // weight in the background mix
    std::array<double, 3> area_factor; // per WardKind: centre, ordinary, affluent
    Hours hours;
    std::vector<const char*> locations;
    std::vector<const char*> mo;
};

const DemoOffence burglary_dwelling{"28E", "Burglary", "Burglary - residential (dwelling)"};
const DemoOffence assault_injury{"8N", "Violence and sexual offences", "Assault with injury"};
const DemoOffence common_assault{"105A", "Violence and sexual offences",
                                 "Assault without injury (common assault)"};
const DemoOffence possession_cannabis{"92D", "Drugs", "Possession of cannabis"};
const DemoOffence possession_other{"92E", "Drugs",
                                   "Possession of controlled drugs (excluding cannabis)"};

const std::vector<const char*> ckb_mo = {
    "Entry via rear door, car keys taken from hallway, vehicle driven away",
    "Front door lock snapped, keys to Audi A4 taken from kitchen, vehicle driven away from "
    "driveway",
    "Letterbox fishing, car keys hooked from hall table, vehicle driven away",
    "Insecure rear door, vehicle keys taken from kitchen drawer, Range Rover driven away "
    "overnight",
    "Patio door forced, handbag and car keys taken, BMW X5 driven away from driveway",
};

const std::vector<OffenceSpec>& offence_specs() {
    static const std::vector<OffenceSpec> specs = {
        {{"ASB", "Anti-social behaviour", "Anti-social behaviour"},
         22,
         {4, 1, 0.5},
         Hours::evening,
         {"Street", "Public open space", "Street", "Dwelling"},
         {"Group of youths shouting and throwing stones at passing cars",
          "Neighbour playing loud music late at night",
          "Off-road motorbikes riding across playing fields",
          "Youths congregating in shop doorway, verbally abusive to staff"}},
        {assault_injury,
         7,
         {4, 1, 0.4},
         Hours::general,
         {"Dwelling", "Dwelling", "Street", "Public open space"},
         {"Victim punched to face, cut to lip, offender known to victim",
          "Victim assaulted with bottle, laceration to head",
          "Domestic, victim grabbed by throat and pushed into wall"}},
        {common_assault,
         10,
         {4, 1, 0.4},
         Hours::general,
         {"Dwelling", "Dwelling", "Street", "Shop"},
         {"Victim pushed and slapped during argument",
          "Victim shoved to ground, offender shouted \"what are you looking at\"",
          "Offender spat at victim during dispute over parking"}},
        {burglary_dwelling,
         5,
         {0.8, 1, 0.8},
         Hours::general,
         {"Dwelling"},
         {"Entry via rear window, jewellery and cash taken from bedroom",
          "Rear door forced with tool, laptop and handbag taken",
          "Insecure front door, purse taken from kitchen worktop",
          "Patio door lock snapped, television and games console taken",
          "Attempted entry, scratch marks to rear door lock, no entry gained"}},
        // A few car key burglaries happen everywhere: the background the hot spots stand above.
        {burglary_dwelling, 0.5, {0.5, 1, 1}, Hours::night, {"Dwelling"}, ckb_mo},
        {{"30C", "Burglary", "Burglary - business and community"},
         2,
         {4, 1, 0.5},
         Hours::night,
         {"Shop", "Commercial premises"},
         {"Rear door of premises forced, cash and stock taken",
          "Roller shutter pried open, cigarettes taken",
          "Entry via roof skylight, tools taken from workshop"}},
        {{"45", "Vehicle crime", "Theft from a motor vehicle"},
         5,
         {2, 1, 1},
         Hours::night,
         {"Street", "Car park", "Street"},
         {"Nearside window smashed, bag taken from passenger seat",
          "Vehicle left insecure, sat nav taken from glovebox",
          "Catalytic converter cut from underneath vehicle"}},
        {{"48", "Vehicle crime", "Theft or unauthorised taking of a motor vehicle"},
         2,
         {2, 1, 1},
         Hours::night,
         {"Street", "Car park"},
         {"Vehicle taken from street overnight, no keys taken, suspected relay attack",
          "Motorcycle taken from outside address, steering lock broken"}},
        {{"46", "Shoplifting", "Shoplifting"},
         8,
         {15, 1, 0.3},
         Hours::shop,
         {"Shop"},
         {"Offender concealed meat products in bag, left without paying",
          "Alcohol taken from shelves, offender decamped on foot",
          "Razor blades concealed, detained by store security"}},
        {{"58A", "Criminal damage and arson", "Criminal damage to a dwelling"},
         4,
         {2, 1, 0.6},
         Hours::evening,
         {"Dwelling"},
         {"Front window of dwelling smashed with brick", "Door damaged by kicking, no entry"}},
        {{"58C", "Criminal damage and arson", "Criminal damage to a vehicle"},
         4,
         {2, 1, 0.6},
         Hours::night,
         {"Street", "Car park"},
         {"Vehicle keyed along offside panels", "Tyres slashed on vehicle parked outside address"}},
        {possession_cannabis,
         1.5,
         {3, 1, 0.3},
         Hours::evening,
         {"Street", "Public open space", "Dwelling"},
         {"Stop and search, small quantity of cannabis found in jacket pocket",
          "Smell of cannabis from vehicle, herbal cannabis found, street warning"}},
        {possession_other,
         0.5,
         {3, 1, 0.3},
         Hours::evening,
         {"Street", "Dwelling"},
         {"Stop and search, wrap of cocaine found in wallet"}},
        {{"92A", "Drugs", "Trafficking in controlled drugs"},
         0.6,
         {3, 1, 0.3},
         Hours::office,
         {"Dwelling", "Street"},
         {"Warrant executed, cannabis plants and cash seized, intent to supply",
          "Subject seen handing packages to others, 12 wraps of heroin recovered"}},
        {{"49", "Other theft", "Other theft"},
         8,
         {4, 1, 0.6},
         Hours::general,
         {"Street", "Shop", "Public open space", "Dwelling"},
         {"Mobile phone taken from table while victim distracted", "Wallet taken from open handbag",
          "Parcel taken from doorstep after delivery"}},
        {{"44", "Bicycle theft", "Theft of a pedal cycle"},
         3,
         {3, 1, 0.5},
         Hours::general,
         {"Street", "Dwelling"},
         {"Pedal cycle taken from rack, lock cut", "Unlocked bicycle taken from front garden"}},
        {{"9A", "Public order", "Public fear, alarm or distress"},
         5,
         {4, 1, 0.3},
         Hours::evening,
         {"Street", "Shop", "Licensed premises"},
         {"Offender shouting and swearing in street, causing alarm to passers by",
          "Threats made to shop staff, no assault"}},
    };
    return specs;
}

const std::vector<const char*> ppv_mo = {
    "Fight outside bar at closing time, victim punched, offender left on foot",
    "Victim headbutted in taxi queue, cut above eye",
    "Group disorder outside nightclub, victim kicked while on ground",
    "Door staff assaulted while refusing entry, offender shouted \"you're barred\"",
    "Glass thrown in beer garden, victim cut to hand",
};
const std::vector<const char*> possession_mo = {
    "Stop and search, small quantity of cannabis found in jacket pocket",
    "Smell of cannabis, herbal cannabis found in bum bag, community resolution",
    "Stop and search in alleyway, wrap of cocaine found in sock",
    "Seen smoking cannabis in car park, remainder seized",
};

// ---------------------------------------------------------------------------------------------
// Text helpers. std::to_chars is locale-independent and exact, so files are byte-stable.
void append_fixed(std::string& s, double v, int decimals) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    s.append(buf, r.ptr);
}

std::string two_digits(int v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d", v);
    return buf;
}

void append_csv_field(std::string& s, std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        s += field;
        return;
    }
    s += '"';
    for (char ch : field) {
        if (ch == '"')
            s += '"';
        s += ch;
    }
    s += '"';
}

void append_ring_json(std::string& s, const Ring& ring) {
    s += '[';
    for (std::size_t i = 0; i <= ring.size(); ++i) {
        const Point& p = ring[i % ring.size()]; // GeoJSON rings repeat the first point
        if (i)
            s += ',';
        s += '[';
        append_fixed(s, p.x, 2);
        s += ',';
        append_fixed(s, p.y, 2);
        s += ']';
    }
    s += ']';
}

void append_json_string(std::string& s, std::string_view v) {
    // Codes and names are plain ASCII letters, digits, spaces and '-'.
    s += '"';
    s += v;
    s += '"';
}

std::string geojson(
    const char* layer,
    const std::vector<std::pair<std::vector<std::pair<const char*, std::string>>, const Polygon*>>&
        features) {
    std::string s = "{\n\"type\": \"FeatureCollection\",\n\"name\": \"";
    s += layer;
    s += "\",\n\"crs\": {\"type\": \"name\", \"properties\": {\"name\": "
         "\"urn:ogc:def:crs:EPSG::27700\"}},\n\"features\": [\n";
    for (std::size_t i = 0; i < features.size(); ++i) {
        s += "{\"type\": \"Feature\", \"properties\": {";
        const auto& props = features[i].first;
        for (std::size_t k = 0; k < props.size(); ++k) {
            if (k)
                s += ", ";
            append_json_string(s, props[k].first);
            s += ": ";
            append_json_string(s, props[k].second);
        }
        s += "}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [";
        const auto& rings = features[i].second->rings;
        for (std::size_t r = 0; r < rings.size(); ++r) {
            if (r)
                s += ',';
            append_ring_json(s, rings[r]);
        }
        s += "]}}";
        s += i + 1 < features.size() ? ",\n" : "\n";
    }
    s += "]\n}\n";
    return s;
}

} // namespace

// ---------------------------------------------------------------------------------------------

void DemoTownOptions::validate() const {
    if (incidents < 100 || incidents > 10'000'000)
        throw UsageError(unit, "--incidents must be between 100 and 10000000 (got " +
                                   std::to_string(incidents) + ")");
}

const char* to_string(DemoRowStatus status) noexcept {
    switch (status) {
    case DemoRowStatus::ok:
        return "ok";
    case DemoRowStatus::outside_areas:
        return "outside_areas";
    case DemoRowStatus::missing_coordinates:
        return "missing_coordinates";
    case DemoRowStatus::zero_coordinates:
        return "zero_coordinates";
    case DemoRowStatus::duplicate_id:
        return "duplicate_id";
    }
    return "?";
}

const char* to_string(DemoProfile profile) noexcept {
    switch (profile) {
    case DemoProfile::car_key_burglary:
        return "car_key_burglary";
    case DemoProfile::drug_possession:
        return "drug_possession";
    case DemoProfile::public_place_violence:
        return "public_place_violence";
    }
    return "?";
}

std::string demo_incident_id(std::uint32_t number) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "DEMO25-%06u", unsigned(number));
    return buf;
}

std::string demo_date(int day_of_year) {
    static constexpr std::array<int, 12> month_days = {31, 28, 31, 30, 31, 30,
                                                       31, 31, 30, 31, 30, 31};
    if (day_of_year < 0 || day_of_year > 364)
        throw UsageError(unit,
                         "day of year must be 0..364 (got " + std::to_string(day_of_year) + ")");
    int m = 0;
    while (day_of_year >= month_days[m])
        day_of_year -= month_days[m++];
    return "2025-" + two_digits(m + 1) + "-" + two_digits(day_of_year + 1);
}

DemoTown make_demo_town(const DemoTownOptions& options) {
    options.validate();
    DemoTown town;
    town.options = options;
    town.name = "Ashbridge";

    // Separate streams, so the boundaries and populations do not change with --incidents.
    Random geo_rng(options.seed ^ 0x67656f6d65747279ULL);
    Random pop_rng(options.seed ^ 0x706f70756c617469ULL);
    Random rng(options.seed ^ 0x696e636964656e74ULL);

    // --- areas ---
    const Lattice lat = make_lattice(geo_rng);
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
    std::vector<Bounds> lsoa_bounds;
    for (const auto& l : town.lsoas)
        lsoa_bounds.push_back(ring_bounds(l.polygon.rings[0]));

    // The LSOA holding p, or -1. With `clear`, p must also be at least 1 m inside it, so every
    // geocoder's boundary rule agrees with the ground truth.
    auto locate = [&](Point p, bool clear) -> int {
        for (std::size_t i = 0; i < town.lsoas.size(); ++i) {
            if (!lsoa_bounds[i].contains(p.x, p.y))
                continue;
            const Ring& ring = town.lsoas[i].polygon.rings[0];
            if (ring_contains(ring, p))
                return !clear || clear_of_edges(ring, p, 1.0) ? int(i) : -1;
        }
        return -1;
    };
    auto locate_clear = [&](Point p) { return locate(p, true); };
    auto whole_metres = [](Point p) { return Point{std::round(p.x), std::round(p.y)}; };

    // --- hot spots: centres tied to lattice cells, so they sit in the intended wards ---
    auto cell_centre = [&](int r, int c, double dx, double dy) {
        double x = 0, y = 0;
        for (int v : {Lattice::vertex(r, c), Lattice::vertex(r, c + 1), Lattice::vertex(r + 1, c),
                      Lattice::vertex(r + 1, c + 1)}) {
            x += lat.vertices[v].x / 4;
            y += lat.vertices[v].y / 4;
        }
        return Point{std::round(x + dx), std::round(y + dy)};
    };
    struct Plan {
        DemoProfile profile;
        Point centre;
        double sigma_m;
        double share; // of options.incidents
    };
    const Point castle_middle = lat.vertices[Lattice::vertex(3, 4)];
    const std::vector<Plan> plans = {
        {DemoProfile::drug_possession,
         {std::round(castle_middle.x - 80), std::round(castle_middle.y + 50)},
         150,
         0.025},
        {DemoProfile::public_place_violence, cell_centre(2, 3, 40, -60), 110, 0.024},
        {DemoProfile::public_place_violence, cell_centre(3, 4, -30, 20), 90, 0.012},
        {DemoProfile::car_key_burglary, cell_centre(0, 6, 0, 0), 280, 0.006},
        {DemoProfile::car_key_burglary, cell_centre(4, 7, 0, 0), 280, 0.005},
    };
    std::size_t planted = 0;
    for (std::size_t h = 0; h < plans.size(); ++h) {
        DemoHotspot hs;
        hs.id = "H" + std::to_string(h + 1);
        hs.profile = plans[h].profile;
        hs.centre = plans[h].centre;
        hs.sigma_m = plans[h].sigma_m;
        hs.n = std::max<std::size_t>(
            5, std::size_t(std::round(plans[h].share * double(options.incidents))));
        const int l = locate(hs.centre, false);
        if (l < 0)
            throw Error(unit, "internal: hot spot " + hs.id + " centre is not in an LSOA");
        hs.ward = town.lsoas[std::size_t(l)].ward;
        planted += hs.n;
        town.hotspots.push_back(hs);
    }
    if (planted * 2 > options.incidents)
        throw UsageError(unit, "--incidents too small for the planted hot spots");

    // --- incidents ---
    std::vector<DemoIncident> rows;
    rows.reserve(options.incidents + demo_extra_rows);
    std::vector<std::vector<double>> hour_cumulative(5);
    for (int h = 0; h < 5; ++h) {
        const auto& w = hour_weights(Hours(h));
        hour_cumulative[std::size_t(h)] = cumulative_of({w.begin(), w.end()});
    }
    auto draw_minute = [&](Hours h) {
        return int(rng.weighted(hour_cumulative[std::size_t(h)])) * 60 + int(rng.below(60));
    };
    auto draw_day = [&] { return int(rng.below(365)); };
    auto pick = [&](const std::vector<const char*>& v) { return v[rng.below(v.size())]; };

    const auto& specs = offence_specs();
    std::vector<double> spec_share;
    std::vector<std::vector<double>> spec_lsoa_cumulative;
    for (const auto& s : specs) {
        spec_share.push_back(s.share);
        std::vector<double> w;
        for (const auto& l : town.lsoas)
            w.push_back(double(l.population) * s.area_factor[std::size_t(ward_specs[l.ward].kind)]);
        spec_lsoa_cumulative.push_back(cumulative_of(w));
    }
    const auto spec_cumulative = cumulative_of(spec_share);

    auto sample_in_lsoa = [&](std::size_t l) {
        const Bounds& b = lsoa_bounds[l];
        for (int attempt = 0; attempt < 100000; ++attempt) {
            const Point p =
                whole_metres({rng.uniform(b.xmin, b.xmax), rng.uniform(b.ymin, b.ymax)});
            if (locate_clear(p) == int(l))
                return p;
        }
        throw Error(unit, "internal: cannot place a point in " + town.lsoas[l].code);
    };

    // Background: offence by share, LSOA by population times the offence's area factor,
    // uniform inside the LSOA.
    const std::size_t background = options.incidents - planted;
    for (std::size_t i = 0; i < background; ++i) {
        const std::size_t s = rng.weighted(spec_cumulative);
        const OffenceSpec& spec = specs[s];
        const std::size_t l = rng.weighted(spec_lsoa_cumulative[s]);
        DemoIncident inc;
        inc.offence = &spec.offence;
        inc.day_of_year = draw_day();
        inc.minute_of_day = draw_minute(spec.hours);
        inc.location = sample_in_lsoa(l);
        inc.location_type = pick(spec.locations);
        inc.mo_text = pick(spec.mo);
        inc.lsoa = int(l);
        inc.ward = int(town.lsoas[l].ward);
        rows.push_back(inc);
    }

    // Planted hot spots: circular normal around the centre, redrawn when a point falls outside
    // the town or within 1 m of an LSOA edge.
    for (std::size_t h = 0; h < town.hotspots.size(); ++h) {
        const DemoHotspot& hs = town.hotspots[h];
        for (std::size_t k = 0; k < hs.n; ++k) {
            DemoIncident inc;
            inc.hotspot = int(h);
            int l = -1;
            for (int attempt = 0; l < 0; ++attempt) {
                if (attempt > 100000)
                    throw Error(unit, "internal: cannot place hot spot " + hs.id);
                inc.location = whole_metres({hs.centre.x + hs.sigma_m * rng.normal(),
                                             hs.centre.y + hs.sigma_m * rng.normal()});
                l = locate_clear(inc.location);
            }
            inc.lsoa = l;
            inc.ward = int(town.lsoas[std::size_t(l)].ward);
            switch (hs.profile) {
            case DemoProfile::drug_possession:
                inc.offence = rng.unit_interval() < 0.75 ? &possession_cannabis : &possession_other;
                inc.day_of_year = draw_day();
                inc.minute_of_day = draw_minute(Hours::evening);
                inc.location_type = pick({"Street", "Street", "Public open space", "Car park"});
                inc.mo_text = pick(possession_mo);
                break;
            case DemoProfile::public_place_violence: {
                inc.offence = rng.unit_interval() < 0.45 ? &assault_injury : &common_assault;
                // The night-time economy: evenings of Fridays and Saturdays mostly, 21:00-04:00
                // (2025-01-01 was a Wednesday, so day d is a Friday when d % 7 == 2).
                int day = 0;
                int minute = 0;
                for (;;) {
                    day = draw_day();
                    const bool weekend = day % 7 == 2 || day % 7 == 3;
                    if (!weekend && rng.unit_interval() > 0.3)
                        continue;
                    minute = 21 * 60 + int(rng.below(7 * 60));
                    if (minute >= 24 * 60) {
                        minute -= 24 * 60;
                        if (++day > 364)
                            continue;
                    }
                    break;
                }
                inc.day_of_year = day;
                inc.minute_of_day = minute;
                inc.location_type = rng.unit_interval() < 0.6 ? "Street" : "Licensed premises";
                inc.mo_text = pick(ppv_mo);
                break;
            }
            case DemoProfile::car_key_burglary:
                inc.offence = &burglary_dwelling;
                inc.day_of_year = draw_day();
                inc.minute_of_day = draw_minute(Hours::night);
                inc.location_type = "Dwelling";
                inc.mo_text = pick(ckb_mo);
                break;
            }
            rows.push_back(inc);
        }
    }

    // The rows a reader must account for: no location, the (0,0) placeholder of some records
    // systems, and valid coordinates well outside the town.
    auto extra = [&](DemoRowStatus status, bool has_coordinates, Point p) {
        const std::size_t s = rng.weighted(spec_cumulative);
        DemoIncident inc;
        inc.offence = &specs[s].offence;
        inc.day_of_year = draw_day();
        inc.minute_of_day = draw_minute(specs[s].hours);
        inc.has_coordinates = has_coordinates;
        inc.location = p;
        inc.location_type = pick(specs[s].locations);
        inc.mo_text = pick(specs[s].mo);
        inc.status = status;
        rows.push_back(inc);
    };
    for (int i = 0; i < 3; ++i)
        extra(DemoRowStatus::missing_coordinates, false, {});
    for (int i = 0; i < 2; ++i)
        extra(DemoRowStatus::zero_coordinates, true, {0, 0});
    for (int i = 0; i < 2; ++i)
        extra(DemoRowStatus::outside_areas, true,
              whole_metres({rng.uniform(405000, 410000), rng.uniform(292000, 296000)}));

    // A records-system export is in date order; stable_sort keeps generation order for ties.
    std::stable_sort(rows.begin(), rows.end(), [](const DemoIncident& a, const DemoIncident& b) {
        return a.day_of_year != b.day_of_year ? a.day_of_year < b.day_of_year
                                              : a.minute_of_day < b.minute_of_day;
    });
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i].number = std::uint32_t(i + 1);

    // One row exported twice: the copy follows its original and is the one to reject.
    std::size_t original = rows.size() / 2 + rng.below(rows.size() / 4);
    while (rows[original].status != DemoRowStatus::ok)
        ++original;
    DemoIncident copy = rows[original];
    copy.status = DemoRowStatus::duplicate_id;
    copy.ward = copy.lsoa = copy.hotspot = -1;
    rows.insert(rows.begin() + std::ptrdiff_t(original + 1), copy);

    town.incidents = std::move(rows);
    return town;
}

// ---------------------------------------------------------------------------------------------

std::string demo_wards_geojson(const DemoTown& town) {
    std::vector<std::pair<std::vector<std::pair<const char*, std::string>>, const Polygon*>> f;
    for (const auto& w : town.wards)
        f.push_back({{{"ward_code", w.code}, {"ward_name", w.name}}, &w.polygon});
    return geojson("wards", f);
}

std::string demo_lsoas_geojson(const DemoTown& town) {
    std::vector<std::pair<std::vector<std::pair<const char*, std::string>>, const Polygon*>> f;
    for (const auto& l : town.lsoas)
        f.push_back(
            {{{"lsoa_code", l.code}, {"lsoa_name", l.name}, {"ward_code", town.wards[l.ward].code}},
             &l.polygon});
    return geojson("lsoas", f);
}

std::string demo_lsoa_population_csv(const DemoTown& town) {
    std::string s = "lsoa_code,population\n";
    for (const auto& l : town.lsoas)
        s += l.code + "," + std::to_string(l.population) + "\n";
    return s;
}

std::string demo_ward_population_csv(const DemoTown& town) {
    std::string s = "ward_code,population\n";
    for (const auto& w : town.wards)
        s += w.code + "," + std::to_string(w.population) + "\n";
    return s;
}

std::string demo_incidents_csv(const DemoTown& town) {
    std::string s = "incident_id,offence_code,category,offence_description,date,time,easting,"
                    "northing,location_type,mo_text\n";
    s.reserve(town.incidents.size() * 160);
    for (const auto& inc : town.incidents) {
        s += demo_incident_id(inc.number);
        s += ',';
        append_csv_field(s, inc.offence->code);
        s += ',';
        append_csv_field(s, inc.offence->category);
        s += ',';
        append_csv_field(s, inc.offence->description);
        s += ',';
        s += demo_date(inc.day_of_year);
        s += ',';
        s += two_digits(inc.minute_of_day / 60) + ":" + two_digits(inc.minute_of_day % 60);
        s += ',';
        if (inc.has_coordinates) {
            append_fixed(s, inc.location.x, 0);
            s += ',';
            append_fixed(s, inc.location.y, 0);
        } else {
            s += ',';
        }
        s += ',';
        append_csv_field(s, inc.location_type);
        s += ',';
        append_csv_field(s, inc.mo_text);
        s += '\n';
    }
    return s;
}

std::string demo_ground_truth_incidents_csv(const DemoTown& town) {
    std::string s = "incident_id,ward_code,lsoa_code,hotspot_id,status\n";
    for (const auto& inc : town.incidents) {
        s += demo_incident_id(inc.number);
        s += ',';
        if (inc.ward >= 0)
            s += town.wards[std::size_t(inc.ward)].code;
        s += ',';
        if (inc.lsoa >= 0)
            s += town.lsoas[std::size_t(inc.lsoa)].code;
        s += ',';
        if (inc.hotspot >= 0)
            s += town.hotspots[std::size_t(inc.hotspot)].id;
        s += ',';
        s += to_string(inc.status);
        s += '\n';
    }
    return s;
}

std::string demo_ground_truth_hotspots_csv(const DemoTown& town) {
    std::string s = "hotspot_id,profile,centre_x,centre_y,sigma_m,n,ward_code\n";
    for (const auto& h : town.hotspots) {
        s += h.id + "," + to_string(h.profile) + ",";
        append_fixed(s, h.centre.x, 0);
        s += ',';
        append_fixed(s, h.centre.y, 0);
        s += ',';
        append_fixed(s, h.sigma_m, 0);
        s += "," + std::to_string(h.n) + "," + town.wards[h.ward].code + "\n";
    }
    return s;
}

std::vector<std::pair<std::string, std::string>> demo_town_files(const DemoTown& town) {
    return {
        {"wards.geojson", demo_wards_geojson(town)},
        {"lsoas.geojson", demo_lsoas_geojson(town)},
        {"lsoa_population.csv", demo_lsoa_population_csv(town)},
        {"ward_population.csv", demo_ward_population_csv(town)},
        {"incidents.csv", demo_incidents_csv(town)},
        {"ground_truth_incidents.csv", demo_ground_truth_incidents_csv(town)},
        {"ground_truth_hotspots.csv", demo_ground_truth_hotspots_csv(town)},
    };
}

} // namespace hotspot

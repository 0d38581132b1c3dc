// Invariants of the synthetic demo town (engine/core/include/hotspot/demo_town.hpp): determinism,
// exact nesting of LSOAs in wards, no overlaps, incidents inside their ground-truth areas and
// hot spots where the ground truth says. Geometry is checked with the test's own point-in-polygon
// and shoelace, not the generator's.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "hotspot/demo_town.hpp"
#include "hotspot/error.hpp"

using namespace hotspot;

namespace {

const DemoTown& default_town() {
    static const DemoTown town = make_demo_town();
    return town;
}

bool contains(const Ring& ring, Point p) {
    bool inside = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        if ((ring[i].y > p.y) != (ring[j].y > p.y) &&
            p.x < (ring[j].x - ring[i].x) * (p.y - ring[i].y) / (ring[j].y - ring[i].y) + ring[i].x)
            inside = !inside;
    }
    return inside;
}

// Twice the signed area in cm^2, exactly: every vertex lies on the 0.01 m grid.
std::int64_t area2_cm(const Ring& ring) {
    std::int64_t s = 0;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const Point& a = ring[i];
        const Point& b = ring[(i + 1) % ring.size()];
        s += std::llround(a.x * 100) * std::llround(b.y * 100) -
             std::llround(b.x * 100) * std::llround(a.y * 100);
    }
    return s;
}

// Shoelace in square metres, relative to a local origin to keep the products small.
double area_m2(const Ring& ring) {
    const double ox = 421000, oy = 304000;
    double s = 0;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const Point& a = ring[i];
        const Point& b = ring[(i + 1) % ring.size()];
        s += (a.x - ox) * (b.y - oy) - (b.x - ox) * (a.y - oy);
    }
    return s / 2;
}

double cross(Point o, Point a, Point b) {
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

// True when two non-adjacent edges of the ring touch or cross.
bool self_intersects(const Ring& r) {
    const std::size_t n = r.size();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            if (j == i + 1 || (i == 0 && j == n - 1))
                continue; // adjacent edges share a vertex
            const Point a = r[i], b = r[(i + 1) % n], c = r[j], d = r[(j + 1) % n];
            const double d1 = cross(c, d, a), d2 = cross(c, d, b);
            const double d3 = cross(a, b, c), d4 = cross(a, b, d);
            if (((d1 > 0) != (d2 > 0) || d1 == 0 || d2 == 0) &&
                ((d3 > 0) != (d4 > 0) || d3 == 0 || d4 == 0))
                return true;
        }
    return false;
}

std::set<std::pair<double, double>> vertex_set(const Ring& r) {
    std::set<std::pair<double, double>> s;
    for (const auto& p : r)
        s.insert({p.x, p.y});
    return s;
}

} // namespace

TEST_CASE("demo town: same seed gives identical bytes, another seed a different town", "[demo]") {
    const auto a = demo_town_files(make_demo_town());
    const auto b = demo_town_files(make_demo_town());
    REQUIRE(a.size() == 7);
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO(a[i].first);
        CHECK(a[i].first == b[i].first);
        CHECK(a[i].second == b[i].second);
    }
    DemoTownOptions other;
    other.seed = 7;
    const auto c = demo_town_files(make_demo_town(other));
    CHECK(c[0].second != a[0].second); // boundaries
    CHECK(c[4].second != a[4].second); // incidents
}

TEST_CASE("demo town: boundaries and population do not depend on the incident count", "[demo]") {
    DemoTownOptions small;
    small.incidents = 1000;
    const DemoTown s = make_demo_town(small);
    CHECK(demo_wards_geojson(s) == demo_wards_geojson(default_town()));
    CHECK(demo_lsoas_geojson(s) == demo_lsoas_geojson(default_town()));
    CHECK(demo_lsoa_population_csv(s) == demo_lsoa_population_csv(default_town()));
    CHECK(s.incidents.size() == 1000 + demo_extra_rows);
}

TEST_CASE("demo town: layout, codes and population", "[demo]") {
    const DemoTown& t = default_town();
    REQUIRE(t.wards.size() == 10);
    REQUIRE(t.lsoas.size() >= 40);
    REQUIRE(t.lsoas.size() <= 50);
    CHECK(t.wards[0].name == "Castle");
    CHECK(t.wards[0].town_centre);
    int affluent = 0;
    for (const auto& w : t.wards)
        affluent += w.affluent;
    CHECK(affluent == 2);

    const Bounds b = bounds_of({t.outline});
    CHECK(b.width() == Approx(10000).margin(600));
    CHECK(b.height() == Approx(8000).margin(600));
    CHECK((b.xmin + b.xmax) / 2 == Approx(421000).margin(300));
    CHECK((b.ymin + b.ymax) / 2 == Approx(304000).margin(300));

    std::set<std::string> codes;
    std::int64_t total = 0;
    std::map<std::size_t, std::int64_t> ward_sum;
    for (const auto& l : t.lsoas) {
        INFO(l.code);
        CHECK(codes.insert(l.code).second);
        CHECK(l.code.rfind("DEMO-L", 0) == 0);
        CHECK(l.population >= 1000);
        CHECK(l.population <= 2500);
        total += l.population;
        ward_sum[l.ward] += l.population;
    }
    CHECK(total >= 70000);
    CHECK(total <= 90000);
    for (std::size_t w = 0; w < t.wards.size(); ++w) {
        INFO(t.wards[w].code);
        CHECK(t.wards[w].code.rfind("DEMO-W", 0) == 0);
        CHECK(codes.insert(t.wards[w].code).second);
        CHECK(ward_sum[w] == t.wards[w].population);
    }
    // The centre is the densest ward, the affluent suburbs the sparsest.
    auto density = [&](const DemoWard& w) {
        return double(w.population) / area_m2(w.polygon.rings[0]);
    };
    for (const auto& w : t.wards) {
        INFO(w.name);
        if (!w.town_centre)
            CHECK(density(w) < density(t.wards[0]) / 2);
        if (!w.affluent)
            for (const auto& a : t.wards)
                if (a.affluent)
                    CHECK(density(a) < density(w));
    }
}

TEST_CASE("demo town: LSOAs nest exactly in wards and tile the town without overlap", "[demo]") {
    const DemoTown& t = default_town();
    std::int64_t lsoa_sum2 = 0;
    std::map<std::size_t, std::int64_t> by_ward2;
    std::map<std::size_t, double> by_ward_m2;
    std::map<std::size_t, std::set<std::pair<double, double>>> ward_lsoa_vertices;
    for (const auto& l : t.lsoas) {
        INFO(l.code);
        REQUIRE(l.polygon.rings.size() == 1);
        const Ring& r = l.polygon.rings[0];
        for (const auto& p : r) {
            // on the 0.01 m grid, so the 2-decimal GeoJSON holds exactly these vertices
            CHECK(std::round(p.x * 100) / 100 == p.x);
            CHECK(std::round(p.y * 100) / 100 == p.y);
        }
        CHECK_FALSE(self_intersects(r));
        const std::int64_t a2 = area2_cm(r);
        CHECK(a2 > 0); // counter-clockwise
        lsoa_sum2 += a2;
        by_ward2[l.ward] += a2;
        by_ward_m2[l.ward] += area_m2(r);
        auto v = vertex_set(r);
        ward_lsoa_vertices[l.ward].insert(v.begin(), v.end());
    }
    std::int64_t ward_sum2 = 0;
    for (std::size_t w = 0; w < t.wards.size(); ++w) {
        INFO(t.wards[w].code);
        const Ring& r = t.wards[w].polygon.rings.at(0);
        CHECK_FALSE(self_intersects(r));
        CHECK(area2_cm(r) == by_ward2[w]);                       // exact
        CHECK(area_m2(r) == Approx(by_ward_m2[w]).margin(1e-6)); // shoelace in m^2
        ward_sum2 += area2_cm(r);
        // the ward's boundary is made of its LSOAs' very vertices
        for (const auto& p : r)
            CHECK(ward_lsoa_vertices[w].count({p.x, p.y}) == 1);
    }
    const std::int64_t town2 = area2_cm(t.outline.rings.at(0));
    CHECK_FALSE(self_intersects(t.outline.rings[0]));
    CHECK(lsoa_sum2 == town2);
    CHECK(ward_sum2 == town2);

    // Probe a fine lattice (offset from the cm grid, so no probe sits on an edge): inside the
    // town, exactly one LSOA and exactly one ward hold it, and that ward is the LSOA's ward.
    const Bounds b = bounds_of({t.outline});
    std::size_t probes = 0;
    for (double y = b.ymin + 0.005; y < b.ymax; y += 53.0)
        for (double x = b.xmin + 0.005; x < b.xmax; x += 47.0) {
            const Point p{x, y};
            int lsoa = -1, n_lsoa = 0, ward = -1, n_ward = 0;
            for (std::size_t i = 0; i < t.lsoas.size(); ++i)
                if (contains(t.lsoas[i].polygon.rings[0], p)) {
                    lsoa = int(i);
                    ++n_lsoa;
                }
            for (std::size_t i = 0; i < t.wards.size(); ++i)
                if (contains(t.wards[i].polygon.rings[0], p)) {
                    ward = int(i);
                    ++n_ward;
                }
            const int in_town = contains(t.outline.rings[0], p) ? 1 : 0;
            if (n_lsoa != in_town || n_ward != in_town ||
                (in_town && t.lsoas[std::size_t(lsoa)].ward != std::size_t(ward)))
                FAIL("probe " << x << " " << y << ": " << n_lsoa << " LSOAs, " << n_ward
                              << " wards, in town " << in_town);
            probes += std::size_t(in_town);
        }
    CHECK(probes > 25000);
}

TEST_CASE("demo town: every incident lies in its ground-truth LSOA and ward", "[demo]") {
    const DemoTown& t = default_town();
    REQUIRE(t.incidents.size() == t.options.incidents + demo_extra_rows);
    std::map<DemoRowStatus, int> status_count;
    std::set<std::uint32_t> ids;
    for (std::size_t k = 0; k < t.incidents.size(); ++k) {
        const DemoIncident& inc = t.incidents[k];
        ++status_count[inc.status];
        if (inc.status == DemoRowStatus::duplicate_id) {
            REQUIRE(k > 0);
            CHECK(inc.number == t.incidents[k - 1].number);
            continue;
        }
        CHECK(ids.insert(inc.number).second);
        if (inc.status != DemoRowStatus::ok) {
            CHECK(inc.lsoa == -1);
            CHECK(inc.hotspot == -1);
            continue;
        }
        REQUIRE(inc.lsoa >= 0);
        const DemoLsoa& l = t.lsoas[std::size_t(inc.lsoa)];
        if (!contains(l.polygon.rings[0], inc.location))
            FAIL(demo_incident_id(inc.number)
                 << " at " << inc.location.x << " " << inc.location.y << " is not in " << l.code);
        if (!contains(t.wards[std::size_t(inc.ward)].polygon.rings[0], inc.location))
            FAIL(demo_incident_id(inc.number) << " is not in its ward");
        CHECK(std::size_t(inc.ward) == l.ward);
        // whole metres, as a records system exports them
        CHECK(inc.location.x == std::round(inc.location.x));
        int n = 0;
        for (const auto& other : t.lsoas)
            n += contains(other.polygon.rings[0], inc.location);
        CHECK(n == 1);
    }
    CHECK(status_count[DemoRowStatus::missing_coordinates] == 3);
    CHECK(status_count[DemoRowStatus::zero_coordinates] == 2);
    CHECK(status_count[DemoRowStatus::duplicate_id] == 1);
    CHECK(status_count[DemoRowStatus::outside_areas] == int(demo_expected_outside));
    CHECK(status_count[DemoRowStatus::missing_coordinates] +
              status_count[DemoRowStatus::zero_coordinates] +
              status_count[DemoRowStatus::duplicate_id] ==
          int(demo_expected_rejects));
    for (const auto& inc : t.incidents) {
        if (inc.status == DemoRowStatus::outside_areas)
            CHECK_FALSE(contains(t.outline.rings[0], inc.location));
        if (inc.status == DemoRowStatus::zero_coordinates) {
            CHECK(inc.location.x == 0);
            CHECK(inc.location.y == 0);
        }
        if (inc.status == DemoRowStatus::missing_coordinates)
            CHECK_FALSE(inc.has_coordinates);
    }
    // in export order
    for (std::size_t k = 1; k < t.incidents.size(); ++k) {
        const auto& a = t.incidents[k - 1];
        const auto& b = t.incidents[k];
        CHECK(a.day_of_year * 1440 + a.minute_of_day <= b.day_of_year * 1440 + b.minute_of_day);
    }
}

TEST_CASE("demo town: planted hot spots sit where the ground truth says", "[demo]") {
    const DemoTown& t = default_town();
    REQUIRE(t.hotspots.size() == 5);
    std::map<int, std::size_t> planted, in_ward, near_centre;
    for (const auto& inc : t.incidents) {
        if (inc.hotspot < 0)
            continue;
        const DemoHotspot& h = t.hotspots[std::size_t(inc.hotspot)];
        ++planted[inc.hotspot];
        in_ward[inc.hotspot] += std::size_t(inc.ward) == h.ward;
        const double dx = inc.location.x - h.centre.x, dy = inc.location.y - h.centre.y;
        near_centre[inc.hotspot] += dx * dx + dy * dy <= 4 * h.sigma_m * h.sigma_m;
        const std::string code = inc.offence->code;
        const std::string mo = inc.mo_text;
        const std::string where = inc.location_type;
        switch (h.profile) {
        case DemoProfile::car_key_burglary:
            CHECK(code == "28E");
            CHECK(where == "Dwelling");
            CHECK(mo.find("keys") != std::string::npos);
            CHECK(mo.find("driven away") != std::string::npos);
            break;
        case DemoProfile::drug_possession:
            CHECK((code == "92D" || code == "92E"));
            break;
        case DemoProfile::public_place_violence:
            CHECK((code == "8N" || code == "105A"));
            CHECK((where == "Street" || where == "Licensed premises"));
            CHECK((inc.minute_of_day >= 21 * 60 || inc.minute_of_day < 4 * 60));
            break;
        }
    }
    for (std::size_t i = 0; i < t.hotspots.size(); ++i) {
        const DemoHotspot& h = t.hotspots[i];
        INFO(h.id << " " << to_string(h.profile));
        const DemoWard& w = t.wards[h.ward];
        CHECK(contains(w.polygon.rings[0], h.centre));
        for (std::size_t o = 0; o < t.wards.size(); ++o)
            if (o != h.ward)
                CHECK_FALSE(contains(t.wards[o].polygon.rings[0], h.centre));
        CHECK(planted[int(i)] == h.n);
        CHECK(double(in_ward[int(i)]) >= 0.8 * double(h.n));
        // a circular normal holds ~86% within 2 sigma
        CHECK(double(near_centre[int(i)]) >= 0.75 * double(h.n));
        if (h.profile == DemoProfile::car_key_burglary)
            CHECK(w.affluent);
        else
            CHECK(w.town_centre);
    }
}

TEST_CASE("demo town: writers", "[demo]") {
    const DemoTown& t = default_town();
    const std::string wards = demo_wards_geojson(t);
    CHECK(wards.find("\"crs\": {\"type\": \"name\", \"properties\": {\"name\": "
                     "\"urn:ogc:def:crs:EPSG::27700\"}}") != std::string::npos);
    CHECK(wards.find("\"ward_code\": \"DEMO-W01\", \"ward_name\": \"Castle\"") !=
          std::string::npos);
    const std::string lsoas = demo_lsoas_geojson(t);
    CHECK(lsoas.find("\"lsoa_code\": \"DEMO-L001\"") != std::string::npos);

    const std::string csv = demo_incidents_csv(t);
    CHECK(csv.rfind("incident_id,offence_code,category,offence_description,date,time,easting,"
                    "northing,location_type,mo_text\n",
                    0) == 0);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == std::ptrdiff_t(t.incidents.size() + 1));
    // RFC 4180: a field with commas is quoted, a quote inside is doubled
    CHECK(
        csv.find(",\"Entry via rear door, car keys taken from hallway, vehicle driven away\"\n") !=
        std::string::npos);
    CHECK(
        csv.find("\"Victim shoved to ground, offender shouted \"\"what are you looking at\"\"\"") !=
        std::string::npos);
    CHECK(csv.find(",,,") != std::string::npos); // blank easting and northing
    CHECK(csv.find(",0,0,") != std::string::npos);

    const std::string gt = demo_ground_truth_incidents_csv(t);
    CHECK(gt.rfind("incident_id,ward_code,lsoa_code,hotspot_id,status\n", 0) == 0);
    CHECK(std::count(gt.begin(), gt.end(), '\n') == std::ptrdiff_t(t.incidents.size() + 1));
    CHECK(demo_ground_truth_hotspots_csv(t).rfind(
              "hotspot_id,profile,centre_x,centre_y,sigma_m,n,ward_code\n", 0) == 0);
    CHECK(demo_lsoa_population_csv(t).rfind("lsoa_code,population\n", 0) == 0);
    CHECK(demo_ward_population_csv(t).rfind("ward_code,population\n", 0) == 0);

    CHECK(demo_incident_id(123) == "DEMO25-000123");
    CHECK(demo_date(0) == "2025-01-01");
    CHECK(demo_date(59) == "2025-03-01");
    CHECK(demo_date(364) == "2025-12-31");
}

TEST_CASE("demo town: options are validated with the unit's name", "[demo]") {
    DemoTownOptions o;
    o.incidents = 10;
    CHECK_THROWS_AS(make_demo_town(o), UsageError);
    CHECK_THROWS_WITH(make_demo_town(o), Catch::StartsWith("demo-data: --incidents"));
}

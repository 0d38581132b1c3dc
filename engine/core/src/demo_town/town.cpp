// The demo town: options, ids and dates, and make_demo_town, which lays out the areas and
// draws the incidents (background, planted hot spots, rows a reader must reject).

#include <map>
#include <set>

#include "demo_town/parts.hpp"
#include "hotspot/error.hpp"

namespace hotspot {

using namespace demo_detail;

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
    lay_out_areas(town, lat, pop_rng);
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

} // namespace hotspot

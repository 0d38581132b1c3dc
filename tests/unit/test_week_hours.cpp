// week_hours.hpp and `hotspot hours`: the 7 x 24 table equals a direct count of the input rows;
// unknown times counted apart; 00:00-as-unknown detected; police.uk said plainly.

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/incidents.hpp"
#include "hotspot/week_hours.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

// Sakamoto's weekday, Monday = 0 (independent of dates.hpp).
int weekday(int y, int m, int d) {
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    if (m < 3) y -= 1;
    const int sunday0 = (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
    return (sunday0 + 6) % 7;
}

std::vector<std::array<std::uint64_t, 24>> parse_table(const std::string& csv) {
    std::vector<std::array<std::uint64_t, 24>> rows;
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string cell;
        std::getline(f, cell, ',');
        std::array<std::uint64_t, 24> r{};
        for (auto& v : r) {
            std::getline(f, cell, ',');
            v = std::stoull(cell);
        }
        rows.push_back(r);
    }
    return rows;
}

} // namespace

TEST_CASE("hours: the table equals a direct count of the CSV rows; unknown times apart", "[hours]") {
    std::mt19937_64 rng(17);
    std::ostringstream csv;
    csv << "x,y,date\n";
    std::array<std::array<std::uint64_t, 24>, 7> expected{};
    std::uint64_t unknown = 0, no_date = 0, counted = 0;
    for (int i = 0; i < 3000; ++i) {
        const int y = 2023 + int(rng() % 2), m = 1 + int(rng() % 12), d = 1 + int(rng() % 28);
        const int h = int(rng() % 24), mi = 1 + int(rng() % 59);  // never exactly 00:00 here
        char b[40];
        csv << 400000 + double(i) << ",300000,";
        if (i % 50 == 7) {  // date only: time unknown
            std::snprintf(b, sizeof b, "%04d-%02d-%02d", y, m, d);
            ++unknown;
        } else if (i % 97 == 3) {  // no date at all
            b[0] = 0;
            ++no_date;
        } else {
            std::snprintf(b, sizeof b, "%04d-%02d-%02d %02d:%02d", y, m, d, h, mi);
            ++expected[std::size_t(weekday(y, m, d))][std::size_t(h)];
            ++counted;
        }
        csv << b << "\n";
    }
    const fs::path dir = test::fresh_dir("hours_cli");
    test::write_file(dir / "inc.csv", csv.str());
    const auto r = test::run_cli("hours --incidents " + (dir / "inc.csv").string() + " --crs EPSG:27700 --out " +
                                 (dir / "hours.csv").string());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto table = parse_table(test::read_file(dir / "hours.csv"));
    REQUIRE(table.size() == 7);
    for (std::size_t d = 0; d < 7; ++d) CHECK(table[d] == expected[d]);
    const auto m = nlohmann::json::parse(test::read_file(dir / "hours.manifest.json"));
    CHECK(m["hours"]["in_table"] == counted);
    CHECK(m["hours"]["unknown_time"] == unknown);
    CHECK(m["hours"]["no_date"] == no_date);
    CHECK(m["hours"]["incidents"] == 3000);
    CHECK(m["hours"]["midnight_unknown"] == false);
    CHECK(r.out.find(std::to_string(unknown) + " have a date but no time") != std::string::npos);
}

TEST_CASE("hours: 00:00 used for 'unknown' is detected by the stated rule, a real midnight peak is not", "[hours]") {
    const std::int32_t day = days_from_civil(2024, 6, 7);  // a Friday
    std::vector<std::int32_t> dates;
    std::vector<std::int16_t> minutes;
    const auto add = [&](int n, int minute) {
        for (int i = 0; i < n; ++i) dates.push_back(day), minutes.push_back(std::int16_t(minute));
    };
    for (int h = 0; h < 24; ++h) add(4, h * 60), add(10, h * 60 + 17);  // 4 at each round hour
    add(60, 0);                                                         // the records system's "unknown"
    WeekHourTable t = week_hour_table(dates, minutes);
    CHECK(t.at_midnight == 64);
    CHECK(t.round_hour_baseline == 4);
    CHECK(t.midnight_unknown);
    CHECK(t.unknown_time == 64);
    CHECK(t.counts[4][0] == 10);  // 00:17 stays in hour 00
    CHECK(t.counted + t.unknown_time + t.no_date == t.rows);
    CHECK(t.note().find("64 incidents timed exactly 00:00 were taken as 'time unknown'") != std::string::npos);
    // keep: counted at midnight; unknown: always moved.
    WeekHourOptions keep;
    keep.midnight = MidnightRule::keep;
    CHECK(week_hour_table(dates, minutes, {}, keep).counts[4][0] == 74);
    // A night-time economy peak: 00:00 busy, but so are 23:00 and 01:00: not flagged.
    std::vector<std::int32_t> d2;
    std::vector<std::int16_t> m2;
    for (int h : {22, 23, 0, 1, 2})
        for (int i = 0; i < 30; ++i) d2.push_back(day), m2.push_back(std::int16_t(h * 60));
    CHECK_FALSE(week_hour_table(d2, m2).midnight_unknown);
    WeekHourOptions unknown;
    unknown.midnight = MidnightRule::unknown;
    CHECK(week_hour_table(d2, m2, {}, unknown).unknown_time == 30);
    CHECK_THROWS_WITH(parse_midnight_rule("maybe"), "hours: unknown --midnight 'maybe'; use detect, unknown or keep");
    // Selected rows only.
    const std::vector<std::uint32_t> rows = {0, 1, 2};
    CHECK(week_hour_table(dates, minutes, rows).rows == 3);
}

TEST_CASE("hours on police.uk says there are no times and writes no table", "[hours]") {
    const fs::path dir = test::fresh_dir("hours_police_uk");
    test::write_file(dir / "2024-01-x-street.csv",
                     "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last "
                     "outcome category,Context\r\n"
                     "a1,2024-01,Leicestershire Police,Leicestershire Police,-1.13,52.63,On or near X,E01,L 001A,Burglary,,\r\n"
                     "a2,2024-01,Leicestershire Police,Leicestershire Police,-1.14,52.64,On or near Y,E01,L 001A,Drugs,,\r\n");
    const auto r = test::run_cli("hours --incidents " + (dir / "2024-01-x-street.csv").string() + " --out " +
                                 (dir / "hours.csv").string());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("police.uk publishes the month only") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "hours.csv"));
    const auto m = nlohmann::json::parse(test::read_file(dir / "hours.manifest.json"));
    CHECK(m["hours"]["no_times"] == true);
    CHECK(m["hours"]["unknown_time"] == 2);
}

#include <catch2/catch.hpp>

#include "hotspot/csv.hpp"
#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"

using namespace hotspot;

namespace {
std::vector<std::vector<std::string>> parse_all(std::string_view text, char delim = ',') {
    CsvReader r(text, "t.csv", delim);
    std::vector<std::string_view> f;
    std::vector<std::vector<std::string>> out;
    while (r.next(f)) out.emplace_back(f.begin(), f.end());
    return out;
}
} // namespace

TEST_CASE("csv: plain, quoted, embedded delimiters, quotes and newlines", "[csv]") {
    const auto rows = parse_all("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n");
    REQUIRE(rows.size() == 3);
    CHECK(rows[1] == std::vector<std::string>{"1", "x, y", "say \"hi\""});
    CHECK(rows[2] == std::vector<std::string>{"2", "two\nlines", ""});
}

TEST_CASE("csv: BOM and CRLF are invisible", "[csv]") {
    const auto rows = parse_all("\xEF\xBB\xBFid,x\r\n1,2\r\n\"q\r\n\",3\r\n");
    REQUIRE(rows.size() == 3);
    CHECK(rows[0][0] == "id");
    CHECK(rows[1][1] == "2");
    CHECK(rows[2][0] == "q\r\n");
    CHECK(rows[2][1] == "3");
}

TEST_CASE("csv: record_line counts physical lines, blank lines skipped", "[csv]") {
    CsvReader r("h\n\"a\nb\"\n\nc\n", "t.csv");
    std::vector<std::string_view> f;
    REQUIRE(r.next(f));
    CHECK(r.record_line() == 1);
    REQUIRE(r.next(f));
    CHECK(r.record_line() == 2);
    REQUIRE(r.next(f));
    CHECK(r.record_line() == 5);
    CHECK(f[0] == "c");
    CHECK_FALSE(r.next(f));
}

TEST_CASE("csv: no trailing newline, empty last field", "[csv]") {
    const auto rows = parse_all("a,b\n1,");
    REQUIRE(rows.size() == 2);
    CHECK(rows[1] == std::vector<std::string>{"1", ""});
}

TEST_CASE("csv: unbalanced quote names file and line", "[csv]") {
    CsvReader r("a,b\n1,2\n3,\"open\n4,5\n", "bad.csv");
    std::vector<std::string_view> f;
    r.next(f);
    r.next(f);
    try {
        r.next(f);
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK(e.file() == "bad.csv");
        CHECK(e.line() == 3);
        CHECK(std::string(e.what()).find("never closed") != std::string::npos);
    }
}

TEST_CASE("csv: text after closing quote is an error", "[csv]") {
    CsvReader r("a\n\"x\"y\n", "bad.csv");
    std::vector<std::string_view> f;
    r.next(f);
    CHECK_THROWS_AS(r.next(f), InputError);
}

TEST_CASE("csv: delimiter sniffing", "[csv]") {
    CHECK(sniff_delimiter("a;b;c") == ';');
    CHECK(sniff_delimiter("a\tb\tc") == '\t');
    CHECK(sniff_delimiter("\"a;b\",c,d") == ',');
    CHECK(parse_all("a;b\n1;2", ';')[1][1] == "2");
}

TEST_CASE("dates: formats, validation and calendar", "[csv]") {
    CHECK(days_from_civil(1970, 1, 1) == 0);
    CHECK(days_from_civil(2000, 3, 1) == 11017);
    CHECK(civil_from_days(days_from_civil(2024, 2, 29)) == 20240229);
    CHECK(weekday_of(days_from_civil(2025, 11, 25)) == 1);  // a Tuesday
    auto d = parse_date("2025-03-07 21:30");
    REQUIRE(d);
    CHECK(d->days == days_from_civil(2025, 3, 7));
    CHECK(d->minute_of_day == 21 * 60 + 30);
    auto uk = parse_date("07/03/2025");
    REQUIRE(uk);
    CHECK(uk->days == d->days);  // day first
    CHECK(uk->minute_of_day == -1);
    auto iso = parse_date("2025-03-07T04:05:06.000Z");
    REQUIRE(iso);
    CHECK(iso->minute_of_day == 4 * 60 + 5);
    auto m = parse_date("2019-12");
    REQUIRE(m);
    CHECK(m->month_only);
    CHECK(m->days == days_from_civil(2019, 12, 1));
    CHECK_FALSE(parse_date("2025-02-30"));
    CHECK_FALSE(parse_date("2025-13-01"));
    CHECK_FALSE(parse_date("yesterday"));
    CHECK_FALSE(parse_date("2025-03-07 25:00"));
    CHECK(parse_time("2359") == 23 * 60 + 59);
    CHECK(parse_time("9:05") == 9 * 60 + 5);
    // 24:00 is the end of the day (1440: the caller rolls to 00:00 of the next day).
    CHECK(parse_time("24:00") == minutes_per_day);
    CHECK_FALSE(parse_time("24:30"));
}

TEST_CASE("csv: CR-only line ends (Excel 'CSV (Macintosh)') end records, with their line numbers", "[csv]") {
    // a quoted field keeps its own line break; the blank line between records is skipped
    CsvReader r("id,text\r1,\"a\rb\"\r\r2,c\r3,d", "mac.csv");
    std::vector<std::string_view> f;
    REQUIRE(r.next(f));
    CHECK(f == std::vector<std::string_view>{"id", "text"});
    REQUIRE(r.next(f));
    CHECK(r.record_line() == 2);
    CHECK(f == std::vector<std::string_view>{"1", "a\rb"});
    REQUIRE(r.next(f));
    CHECK(r.record_line() == 5);
    CHECK(f == std::vector<std::string_view>{"2", "c"});
    CHECK(r.record_text() == "2,c");
    REQUIRE(r.next(f));
    CHECK(r.record_line() == 6);
    CHECK(f == std::vector<std::string_view>{"3", "d"});
    CHECK_FALSE(r.next(f));
    // CRLF files are unchanged: a CR before LF is not a record of its own
    CsvReader crlf("a,b\r\n1,2\r\n", "win.csv");
    REQUIRE(crlf.next(f));
    REQUIRE(crlf.next(f));
    CHECK(f == std::vector<std::string_view>{"1", "2"});
    CHECK(crlf.record_line() == 2);
    CHECK_FALSE(crlf.next(f));
    CHECK(sniff_delimiter("a;b;c\r1,2;3") == ';');
}

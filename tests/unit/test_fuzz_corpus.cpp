// Replays the fuzzers' corpora (tests/fuzz/corpus/<name>/: seeds, and every input a fuzzer
// crashed on, kept as a regression) through the same entry points as tests/fuzz/, so the
// normal suite fails if a fixed crash comes back. Only hotspot's typed errors may come out.

#include <catch2/catch.hpp>
#include <filesystem>

#include "hotspot/csv.hpp"
#include "hotspot/encoding.hpp"
#include "hotspot/error.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/profile.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> corpus(const std::string& name) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(test::source_dir() / "tests" / "fuzz" / "corpus" / name))
        if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

TEST_CASE("fuzz corpus: the CSV tokenizer", "[fuzz-corpus]") {
    const auto files = corpus("csv");
    CHECK(files.size() >= 5);
    for (const auto& f : files) {
        INFO(f.filename().string());
        const std::string text = test::read_file(f);
        CHECK(is_utf8(cp1252_to_utf8(text)));
        for (const char delimiter : {sniff_delimiter(text), ','}) {
            try {
                CsvReader reader(text, "fuzz.csv", delimiter);
                std::vector<std::string_view> fields;
                std::size_t records = 0;
                while (reader.next(fields)) REQUIRE(++records <= text.size() + 1);
            } catch (const InputError& e) {
                CHECK(e.file() == "fuzz.csv");
            }
        }
    }
}

TEST_CASE("fuzz corpus: the incident reader", "[fuzz-corpus]") {
    const auto files = corpus("read");
    CHECK(files.size() >= 5);
    const auto dir = test::fresh_dir("fuzz-corpus-read");
    for (const auto& f : files) {
        INFO(f.filename().string());
        const auto csv = dir / (f.stem().string() + ".csv");
        fs::copy_file(f, csv, fs::copy_options::overwrite_existing);
        ReadOptions o;
        o.paths = {csv.string()};
        o.crs = "EPSG:27700";
        try {
            const ReadResult r = read_incidents(o, no_progress());
            CHECK(r.rows_in == r.incidents.size() + r.rejects.size());
        } catch (const Error& e) {
            CHECK(std::string(e.what()).find(": ") != std::string::npos);
        }
    }
}

TEST_CASE("fuzz corpus: offence profiles from TOML", "[fuzz-corpus]") {
    const auto files = corpus("profile");
    CHECK(files.size() >= 3);
    for (const auto& f : files) {
        INFO(f.filename().string());
        const std::string text = test::read_file(f);
        try {
            const Profile p = parse_profile_toml(text, "fuzz.toml");
            CHECK(parse_profile_toml(to_toml(p), "written.toml") == p);
        } catch (const InputError& e) {
            CHECK(e.file() == "fuzz.toml");
        } catch (const UsageError&) {
        }
    }
}

TEST_CASE("fuzz regression: a deeply nested profile regex is refused, not a stack overflow", "[fuzz-corpus]") {
    const std::string text =
        test::read_file(test::source_dir() / "tests/fuzz/corpus/profile/regression_deep_regex_nesting.toml");
    CHECK_THROWS_WITH(parse_profile_toml(text, "deep.toml"),
                      Catch::StartsWith("profile: deep.toml:") &&
                          Catch::Contains("40001 characters long (at most 1000)"));
    const std::string deep = std::string(40, '(') + "a" + std::string(40, ')');
    CHECK_THROWS_WITH(parse_profile_toml("name = \"a\"\n[filter]\n[[filter.fields]]\nfield = \"mo_text\"\n"
                                         "matches = [\"" + deep + "\"]\nregex = true\n",
                                         "deep.toml"),
                      Catch::Contains("nests 40 groups deep (at most 32); simplify it"));
    std::string long_pattern(1001, 'a');
    CHECK_THROWS_WITH(parse_profile_toml("name = \"a\"\n[filter]\n[[filter.fields]]\nfield = \"mo_text\"\n"
                                         "matches = [\"" + long_pattern + "\"]\nregex = true\n",
                                         "long.toml"),
                      Catch::Contains("1001 characters long (at most 1000)"));
    // ordinary nesting still reads
    CHECK_NOTHROW(parse_profile_toml("name = \"a\"\n[filter]\n[[filter.fields]]\nfield = \"mo_text\"\n"
                                     "matches = ['((car|van) keys?) (taken|stolen)', '[(]note[)]']\nregex = true\n",
                                     "ok.toml"));
}

TEST_CASE("fuzz regression: a back-reference or repeat count too large for the regex compiler", "[fuzz-corpus]") {
    // GCC 12 reads these numbers into a long without an overflow check (UBSan: signed overflow).
    const std::string text =
        test::read_file(test::source_dir() / "tests/fuzz/corpus/profile/regression_backref_overflow.toml");
    CHECK_THROWS_WITH(parse_profile_toml(text, "backref.toml"),
                      Catch::StartsWith("profile: backref.toml:") && Catch::Contains("more than 6 digits"));
    auto with = [](const std::string& pattern) {
        return "name = \"a\"\n[filter]\n[[filter.fields]]\nfield = \"mo_text\"\nmatches = ['" + pattern +
               "']\nregex = true\n";
    };
    CHECK_THROWS_WITH(parse_profile_toml(with("a{1,12345678901234567890}"), "r.toml"), Catch::Contains("more than 6 digits"));
    CHECK_THROWS_WITH(parse_profile_toml(with("a{12345678901234567890}"), "r.toml"), Catch::Contains("more than 6 digits"));
    CHECK_NOTHROW(parse_profile_toml(with("ref,12345678901 (x{2,3})"), "r.toml"));  // literal digits are fine
}

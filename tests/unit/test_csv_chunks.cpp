// Reading in chunks (issue 20): a record is never split or lost whatever chunk edge it spans,
// and what a streaming reader returns (fields, lines, errors) equals the in-memory reader's.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "hotspot/csv.hpp"
#include "hotspot/error.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/sha256.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

struct Record {
    std::vector<std::string> fields;
    std::uint64_t line;
    std::string text;
    std::size_t offset;
    bool operator==(const Record&) const = default;
};

// Every record, or the error's line as a last record with no fields and text "error".
std::vector<Record> drain(CsvReader& r) {
    std::vector<Record> out;
    std::vector<std::string_view> f;
    try {
        while (r.next(f))
            out.push_back({{f.begin(), f.end()}, r.record_line(), std::string(r.record_text()), r.offset()});
    } catch (const InputError& e) {
        out.push_back({{}, e.line(), "error " + e.field(), 0});
    }
    return out;
}

std::vector<Record> streamed(const std::string& text, std::size_t chunk, char delim = ',') {
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    std::fwrite(text.data(), 1, text.size(), f);
    std::rewind(f);
    CsvReader r(f, "t.csv", delim, chunk);
    auto out = drain(r);
    std::fclose(f);
    return out;
}

// Sets HOTSPOT_CSV_CHUNK_BYTES for one scope.
struct ChunkEnv {
    explicit ChunkEnv(std::size_t bytes) { setenv("HOTSPOT_CSV_CHUNK_BYTES", std::to_string(bytes).c_str(), 1); }
    ~ChunkEnv() { unsetenv("HOTSPOT_CSV_CHUNK_BYTES"); }
};

ReadResult read_with_chunk(const fs::path& p, std::size_t chunk, unsigned threads = 0) {
    ChunkEnv env(chunk);
    ReadOptions o;
    o.paths = {p.string()};
    o.threads = threads;
    return read_incidents(o);
}

// Every kept and rejected row of `r` equals `ref`'s: counts, coordinates, lines, dates, reasons
// and every field's text.
void check_same_tables(const ReadResult& r, const ReadResult& ref) {
    CHECK(r.rows_in == ref.rows_in);
    CHECK(r.rows_in == r.incidents.size() + r.rejects.size());
    CHECK(r.exact_duplicates == ref.exact_duplicates);
    CHECK(r.warnings == ref.warnings);
    REQUIRE(r.incidents.size() == ref.incidents.size());
    REQUIRE(r.rejects.size() == ref.rejects.size());
    CHECK(r.incidents.x == ref.incidents.x);
    CHECK(r.incidents.y == ref.incidents.y);
    CHECK(r.incidents.source_line == ref.incidents.source_line);
    CHECK(r.incidents.date_days == ref.incidents.date_days);
    CHECK(r.incidents.minute_of_day == ref.incidents.minute_of_day);
    CHECK(r.incidents.category == ref.incidents.category);
    CHECK(r.incidents.categories == ref.incidents.categories);
    CHECK(r.rejects.reason == ref.rejects.reason);
    CHECK(r.rejects.source_line == ref.rejects.source_line);
    bool same_text = true;
    for (std::size_t c = 0; c < ref.incidents.fields.size(); ++c)
        for (std::size_t i = 0; i < ref.incidents.size(); ++i)
            same_text = same_text && r.incidents.fields[c][i] == ref.incidents.fields[c][i];
    for (std::size_t c = 0; c < ref.rejects.fields.size(); ++c)
        for (std::size_t i = 0; i < ref.rejects.size(); ++i)
            same_text = same_text && r.rejects.fields[c][i] == ref.rejects.fields[c][i];
    for (std::size_t i = 0; i < ref.rejects.size(); ++i) same_text = same_text && r.rejects.detail[i] == ref.rejects.detail[i];
    CHECK(same_text);
}

} // namespace

TEST_CASE("csv: streaming in chunks of any size returns what the in-memory reader returns", "[csv]") {
    const std::vector<std::string> texts = {
        "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n",
        "\xEF\xBB\xBFid,x\r\n1,2\r\n\"q\r\n\",3\r\n",
        "h\n\"a\nb\"\n\nc\n",
        "a,b\n1,",
        "a,b\n1,2",
        "id,text\r1,\"a\rb\"\r\r2,c\r3,d",
        "a,b\r\n1,2\r\n\r\n3,\"\"\"\"\r\n",
        "\"h1\",\"h\nmulti\"\n\"\",\"\"\n",
        "a,b\n1,2\n3,\"open\n4,5\n",  // unbalanced quote on line 3
        "a\n\"x\"y\n",                // text after a closing quote on line 2
        "\xEF\xBB\xBF",
        "",
    };
    for (const auto& text : texts) {
        CsvReader whole(text, "t.csv");
        const auto expected = drain(whole);
        for (std::size_t chunk : {1, 2, 3, 4, 5, 7, 11, 64, 4096}) {
            INFO("text '" << text << "', chunk " << chunk);
            CHECK(streamed(text, chunk) == expected);
        }
    }
}

TEST_CASE("csv: a record longer than the chunk and many chunks of records", "[csv]") {
    std::string text = "id,mo\r\n";
    const std::string long_mo(10000, 'm');
    for (int i = 0; i < 200; ++i)
        text += std::to_string(i) + ",\"" + (i == 100 ? long_mo : "line\r\nbreak, \"\"quoted\"\"") + "\"\r\n";
    CsvReader whole(text, "t.csv");
    const auto expected = drain(whole);
    REQUIRE(expected.size() == 201);
    CHECK(expected[101].fields[1] == long_mo);
    CHECK(expected.back().line == 2 + 2 * 199 - 1);  // two lines per record but the long one
    for (std::size_t chunk : {1, 13, 256, 1 << 20}) {
        INFO("chunk " << chunk);
        CHECK(streamed(text, chunk) == expected);
    }
}

TEST_CASE("reader: chunk edges change nothing in what is kept and rejected", "[reader]") {
    const auto dir = test::fresh_dir("reader-chunks");
    std::string text = "\xEF\xBB\xBF" "incident_id,category,date,easting,northing,mo\r\n";
    for (int i = 0; i < 300; ++i) {
        const std::string x = std::to_string(421000 + i * 7), y = std::to_string(304000 + (i * 13) % 900);
        if (i % 17 == 3) text += std::to_string(i) + ",Burglary,2025-01-02,,,\"no place\"\r\n";
        else if (i % 23 == 5) text += std::to_string(i - 1) + ",Burglary,2025-01-02," + x + "," + y + ",dup id\r\n";
        else if (i % 29 == 7) text += std::to_string(i) + ",Drugs,2025-02-03," + x + "\r\n";  // field count
        else text += std::to_string(i) + ",Theft,2025-03-04 10:30," + x + "," + y + ",\"entered by\r\nthe rear, \"\"door\"\"\"\r\n";
    }
    text += "last,Theft,2025-03-04," + std::to_string(421500) + ",304100,no newline at the end";
    test::write_file(dir / "in.csv", text);
    const ReadResult ref = read_with_chunk(dir / "in.csv", std::size_t(1) << 22);
    REQUIRE(text.size() > 3 * 4096);
    CHECK(ref.rows_in == 301);
    CHECK(ref.rows_in == ref.incidents.size() + ref.rejects.size());
    CHECK(ref.rejects.size() > 20);
    for (std::size_t chunk : {1, 7, 64, 4096})
        for (unsigned threads : {1u, 2u, 3u}) {
            INFO("chunk " << chunk << ", threads " << threads);
            check_same_tables(read_with_chunk(dir / "in.csv", chunk, threads), ref);
            CHECK(noted_file_sha256((dir / "in.csv").string()) == sha256_hex(text));  // BOM and header included
        }
    // The multi-line mo survives whole, CRLF inside the quotes included, and lines are physical.
    CHECK(ref.incidents.fields[5][0] == "entered by\r\nthe rear, \"door\"");
    CHECK(ref.incidents.source_line[0] == 2);
    CHECK(ref.incidents.source_line[1] == 4);
    CHECK(ref.incidents.fields[0][ref.incidents.size() - 1] == "last");
}

TEST_CASE("reader: errors after a chunk edge name the right line", "[reader]") {
    const auto dir = test::fresh_dir("reader-chunk-errors");
    std::string rows = "easting,northing,mo\n";
    for (int i = 0; i < 150; ++i) rows += "421000,304000,\"a\nb\"\n";  // lines 2..301
    test::write_file(dir / "quote.csv", rows + "421000,304000,\"open\n421000,304000,x\n");
    std::string nul = rows + "421000,304000,x";
    nul += '\0';
    nul += "\n";
    test::write_file(dir / "nul.csv", nul);
    for (std::size_t chunk : {5, 64, 4096}) {
        INFO("chunk " << chunk);
        try {
            read_with_chunk(dir / "quote.csv", chunk);
            FAIL("no error");
        } catch (const InputError& e) {
            CHECK(e.line() == 302);
            CHECK(e.field() == "field 3");
        }
        try {
            read_with_chunk(dir / "nul.csv", chunk);
            FAIL("no error");
        } catch (const InputError& e) {
            CHECK(e.line() == 302);
            CHECK(e.field() == "mo");
            CHECK(std::string(e.what()).find("NUL byte") != std::string::npos);
        }
    }
}

// The pieces a file is parsed in on several threads are cut after a line end that the parity
// of the quotes before it puts outside quotes; a quote inside an unquoted field (12" TV) turns
// that parity, so cuts fall inside the quoted, multi-line fields after it. Those pieces do not
// end between records and the file is cut again: nothing is lost, split or numbered wrongly.
TEST_CASE("reader: a cut inside a quoted field is found and cut again", "[reader]") {
    const auto dir = test::fresh_dir("reader-miscut");
    std::string text = "easting,northing,category,mo\n";
    std::uint64_t line = 2;
    std::vector<std::uint64_t> lines;
    std::vector<std::string> mos;
    for (int i = 0; i < 400; ++i) {
        std::string mo, field;
        if (i % 9 == 0) {
            mo = "took a 12\" TV";  // a literal quote: the parity turns
            field = mo;
        } else {
            mo = "forced\nthe rear, \"door\"\nat " + std::to_string(i);  // three lines
            field = "\"forced\nthe rear, \"\"door\"\"\nat " + std::to_string(i) + "\"";
        }
        text += std::to_string(421000 + i) + ",304000,Burglary," + field + "\n";
        lines.push_back(line);
        mos.push_back(mo);
        line += std::uint64_t(std::count(mo.begin(), mo.end(), '\n')) + 1;
    }
    test::write_file(dir / "in.csv", text);
    ReadOptions o;
    o.paths = {(dir / "in.csv").string()};
    o.crs = "EPSG:27700";
    for (std::size_t chunk : {1, 16, 40, 97, 256, 1000, 1 << 20})
        for (unsigned threads : {1u, 2u}) {
            INFO("chunk " << chunk << ", threads " << threads);
            ChunkEnv env(chunk);
            o.threads = threads;
            const ReadResult r = read_incidents(o);
            CHECK(r.rows_in == 400);
            REQUIRE(r.incidents.size() == 400);
            // the checksum worked out while reading covers every byte once, cuts made again or not
            CHECK(noted_file_sha256((dir / "in.csv").string()) == sha256_hex(text));
            bool same = true;
            for (std::size_t i = 0; i < 400; ++i)
                same = same && r.incidents.fields[3][i] == mos[i] && r.incidents.source_line[i] == lines[i] &&
                       r.incidents.x[i] == 421000.0 + double(i);
            CHECK(same);
        }
}

// The compact column (2-byte ends per row in blocks of 256, text in pages) against a plain
// vector of strings: empty values, block and page edges, a block that passes 64 KiB and
// switches to 4-byte ends, a value larger than a page, copies, and pushing after a shrink.
TEST_CASE("reader: the compact string column returns every value as pushed", "[reader]") {
    std::mt19937_64 rng(20261201);
    std::vector<std::string> want;
    StringColumn col;
    col.reserve(100);  // less than it will hold
    auto push = [&](std::string v) {
        col.push_back(v);
        want.push_back(std::move(v));
    };
    auto check = [&](const StringColumn& c) {
        REQUIRE(c.size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i)
            if (c[i] != want[i]) FAIL("row " << i << ": '" << std::string(c[i]).substr(0, 40) << "' != '" << want[i].substr(0, 40) << "'");
    };
    for (int i = 0; i < 3000; ++i) {  // short values, some empty, some with NUL and CR bytes
        std::string v(rng() % 4 == 0 ? 0 : rng() % 40, 'a');
        for (auto& ch : v) ch = char(rng() % 256);
        push(v);
    }
    push(std::string(70000, 'w'));            // alone passes 64 KiB: its block goes wide
    for (int i = 0; i < 300; ++i) push(std::string(300, char('A' + i % 26)));  // 256 x 300 > 64 KiB: a wide block
    push(std::string(3u << 20, 'p'));         // larger than the largest page
    push("");
    for (int i = 0; i < 1000; ++i) push(std::to_string(i));
    check(col);
    const StringColumn copy = col;
    check(copy);
    col.shrink_to_fit();
    check(col);
    for (int i = 0; i < 700; ++i) push("after-" + std::to_string(i));  // pushing after a shrink
    check(col);
    StringColumn assigned;
    assigned.push_back("x");
    assigned = col;
    check(assigned);
    // Beside the text, a short-valued column holds about 2 bytes a row (was 8).
    StringColumn small;
    for (int i = 0; i < 100000; ++i) small.push_back("E01000001");
    small.shrink_to_fit();
    // (pages: the text plus at most 3% for block moves at page edges; blocks: 16 bytes per 256 rows)
    CHECK(small.heap_bytes() <= std::size_t(100000 * 9 * 1.03) + 100000 * 2 + 100000 / 256 * 16 + 4096);
    CHECK(small.heap_bytes() < 100000 * (9 + 8));
    // Blanks are counted, not stored, until text follows them: a blank column holds nothing,
    // and blanks before a value (across block edges) and after it read back blank.
    StringColumn blank;
    for (int i = 0; i < 1000000; ++i) blank.push_back("");
    CHECK(blank.size() == 1000000);
    CHECK(blank[999999].empty());
    CHECK(blank.heap_bytes() == 0);
    blank.push_back("late");
    for (int i = 0; i < 300; ++i) blank.push_back("");
    CHECK(blank.size() == 1000301);
    CHECK(blank[1000000] == "late");
    CHECK(blank[999999].empty());
    CHECK(blank[1000300].empty());
    const StringColumn blank_copy = blank;
    CHECK(blank_copy.size() == 1000301);
    CHECK(blank_copy[1000000] == "late");
}

// Random files of quoted fields (doubled quotes, delimiters, LF, CR and CRLF inside), stray
// quotes inside unquoted fields, wrong field counts, blank lines and a missing last line end;
// one file in eight also holds raw noise that makes it malformed. Read in pieces of random
// sizes on one and two threads, every table equals the read of the whole file as one piece, or
// both fail with the same error at the same line.
TEST_CASE("reader: random quoting read in pieces of any size equals the whole read", "[reader]") {
    const auto dir = test::fresh_dir("reader-random-pieces");
    std::mt19937_64 rng(20261202);
    auto pick = [&](std::size_t n) { return std::size_t(rng() % n); };
    const std::vector<std::string> quoted_bits = {"a", ",", "\n", "\r\n", "\r", "\"\"", " ", "12"};
    const std::vector<std::string> plain_bits = {"a", "b", " ", "x\"y", "\r", "7"};
    const std::vector<std::string> noise_bits = {",", "\n", "\"", "\"\"", "a", "\r", "\"q,\nr\""};
    int kept_files = 0, failed_files = 0;
    for (int file = 0; file < 40; ++file) {
        const bool crlf = file % 3 == 0;
        const std::string eol = crlf ? "\r\n" : "\n";
        auto field = [&] {
            std::string f;
            switch (pick(4)) {
            case 0: {  // quoted
                f = "\"";
                for (std::size_t k = pick(6); k-- > 0;) f += quoted_bits[pick(quoted_bits.size())];
                return f + "\"";
            }
            case 1:
                for (std::size_t k = 1 + pick(3); k-- > 0;) f += plain_bits[pick(plain_bits.size())];
                return f;
            case 2: return f;
            default: return std::string("n") + std::to_string(pick(1000));
            }
        };
        std::string text = "easting,northing,note" + eol;
        const int records = 20 + int(pick(200));
        for (int r = 0; r < records; ++r) {
            if (pick(10) == 0) text += eol;  // a blank line
            const std::size_t extra = pick(8) == 0 ? pick(3) : 1;  // 0 or 2 notes: a wrong field count
            text += std::to_string(421000 + r) + "," + (pick(15) == 0 ? "" : "304000");
            for (std::size_t k = 0; k < extra; ++k) text += "," + field();
            if (file % 8 == 7 && pick(40) == 0) text += noise_bits[pick(noise_bits.size())];
            text += eol;
        }
        if (pick(2)) text += "421999,304999,last";
        const auto path = dir / ("f" + std::to_string(file) + ".csv");
        test::write_file(path, text);
        auto attempt = [&](std::size_t chunk, unsigned threads, ReadResult& out) -> std::string {
            try {
                ChunkEnv env(chunk);
                ReadOptions o;
                o.paths = {path.string()};
                o.crs = "EPSG:27700";
                o.threads = threads;
                out = read_incidents(o);
                return "";
            } catch (const InputError& e) {
                return std::to_string(e.line()) + " " + e.field() + " " + e.what();
            }
        };
        ReadResult whole;
        const std::string whole_error = attempt(std::size_t(1) << 24, 1, whole);
        ++(whole_error.empty() ? kept_files : failed_files);
        for (int trial = 0; trial < 3; ++trial) {
            const std::size_t chunk = 1 + pick(300);
            const unsigned threads = 1 + unsigned(trial % 2);
            INFO("file " << file << ", chunk " << chunk << ", threads " << threads << ", whole read: '" << whole_error << "'");
            ReadResult r;
            const std::string error = attempt(chunk, threads, r);
            CHECK(error == whole_error);
            if (error.empty() && whole_error.empty()) check_same_tables(r, whole);
        }
    }
    // Both paths are exercised: most files read, some malformed.
    INFO(kept_files << " files read, " << failed_files << " malformed");
    CHECK(kept_files >= 30);
    CHECK(failed_files >= 2);
}

// encoding.hpp: the UTF-8 check and the Windows-1252 conversion the reader applies to text
// fields that are not UTF-8.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "hotspot/encoding.hpp"

using namespace hotspot;

TEST_CASE("encoding: is_utf8 accepts well-formed UTF-8 and nothing else", "[encoding]") {
    CHECK(is_utf8(""));
    CHECK(is_utf8("plain ASCII, with \t and \n"));
    CHECK(is_utf8("Caf\xC3\xA9 \xC2\xA3" "50 \xE2\x82\xAC \xF0\x9F\x9A\x93"));  // é £ € 🚓
    CHECK(is_utf8(std::string_view("\0", 1)));
    CHECK_FALSE(is_utf8("Caf\xE9"));              // Latin-1 é
    CHECK_FALSE(is_utf8("\xA3" "50"));            // Latin-1 £
    CHECK_FALSE(is_utf8("\x80"));                 // a continuation byte first
    CHECK_FALSE(is_utf8("\xC3"));                 // truncated sequence
    CHECK_FALSE(is_utf8("\xE2\x82"));             // truncated sequence
    CHECK_FALSE(is_utf8("\xC0\xAF"));             // overlong '/'
    CHECK_FALSE(is_utf8("\xE0\x80\xAF"));         // overlong '/'
    CHECK_FALSE(is_utf8("\xED\xA0\x80"));         // surrogate U+D800
    CHECK_FALSE(is_utf8("\xF4\x90\x80\x80"));     // above U+10FFFF
    CHECK_FALSE(is_utf8("\xF8\x88\x80\x80\x80")); // 5-byte form
    CHECK_FALSE(is_utf8("ok \xC3\x28"));          // bad continuation
}

// The eight-bytes-at-a-time ASCII path: every sequence above, good and bad, at every offset
// of ASCII text 0 to 24 bytes long on each side, so it starts, ends and straddles the words.
TEST_CASE("encoding: is_utf8 judges a sequence the same wherever it sits in ASCII text", "[encoding]") {
    const std::vector<std::string> good = {"\xC3\xA9", "\xC2\xA3", "\xE2\x82\xAC", "\xF0\x9F\x9A\x93", "\x7F"};
    const std::vector<std::string> bad = {"\xE9",         "\x80",         "\xC3",         "\xE2\x82",
                                          "\xC0\xAF",     "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                                          "\xF8\x88\x80\x80\x80", "\xC3\x28"};
    std::size_t checked = 0;
    for (std::size_t before = 0; before <= 24; ++before)
        for (std::size_t after = 0; after <= 24; ++after) {
            const std::string l(before, 'a'), r(after, 'z');
            for (const auto& g : good) {
                CHECK(is_utf8(l + g + r));
                ++checked;
            }
            for (const auto& b : bad) {
                CHECK_FALSE(is_utf8(l + b + r));
                ++checked;
            }
            CHECK(is_utf8(l + r));
        }
    CHECK(checked == 25 * 25 * 15);
}

TEST_CASE("encoding: Windows-1252 converts to the right code points", "[encoding]") {
    CHECK(cp1252_to_utf8("plain") == "plain");
    CHECK(cp1252_to_utf8("Caf\xE9") == "Caf\xC3\xA9");               // é
    CHECK(cp1252_to_utf8("\xA3" "50") == "\xC2\xA3" "50");          // £
    CHECK(cp1252_to_utf8("\x80") == "\xE2\x82\xAC");                // €
    CHECK(cp1252_to_utf8("Victim\x92s") == "Victim\xE2\x80\x99s");  // ’
    CHECK(cp1252_to_utf8("\x96") == "\xE2\x80\x93");                // –
    CHECK(cp1252_to_utf8("\xFF") == "\xC3\xBF");                    // ÿ
    CHECK(cp1252_to_utf8("\x81") == "\xEF\xBF\xBD");                // undefined: U+FFFD
    // every byte value converts to valid UTF-8
    std::string all;
    for (int b = 0; b < 256; ++b) all.push_back(char(b));
    CHECK(is_utf8(cp1252_to_utf8(all)));
}

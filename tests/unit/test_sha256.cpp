#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "hotspot/error.hpp"
#include "hotspot/sha256.hpp"
#include "support.hpp"

using namespace hotspot;

// FIPS 180-4 / NIST example vectors.
TEST_CASE("sha256 matches the published test vectors", "[sha256]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const std::string million(1000000, 'a');
    CHECK(sha256_hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    const auto dir = test::fresh_dir("sha256");
    test::write_file(dir / "abc.txt", "abc");
    CHECK(sha256_file((dir / "abc.txt").string()) == sha256_hex("abc"));
}

// A file of several read buffers (1 MiB each) and a ragged end, against coreutils' sha256sum:
// an independent implementation of the same standard.
TEST_CASE("sha256 of a file over several buffers equals sha256sum's", "[sha256]") {
    if (!std::filesystem::exists("/usr/bin/sha256sum")) {
        WARN("skipped: no /usr/bin/sha256sum");
        return;
    }
    const auto dir = test::fresh_dir("sha256_big");
    const auto path = dir / "big.bin";
    {
        std::ofstream f(path, std::ios::binary);
        std::uint32_t x = 12345;
        for (std::size_t i = 0; i < 3 * (std::size_t(1) << 20) + 7; ++i) {
            x = x * 1664525u + 1013904223u;
            f.put(char(x >> 24));
        }
    }
    const std::string cmd = "/usr/bin/sha256sum '" + path.string() + "'";
    std::FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char out[65] = {};
    REQUIRE(std::fread(out, 1, 64, p) == 64);
    pclose(p);
    CHECK(sha256_file(path.string()) == std::string(out, 64));
    CHECK_THROWS_AS(sha256_file((dir / "missing.bin").string()), InputError);
}

TEST_CASE("sha256: a noted checksum is used only while the file is unchanged", "[sha256]") {
    const auto dir = test::fresh_dir("sha256_noted");
    const auto path = (dir / "f.csv").string();
    test::write_file(path, "a,b\n1,2\n");
    CHECK(noted_file_sha256(path).empty());
    note_file_sha256(path, std::string(64, 'e'));  // a stand-in the real digest cannot equal
    CHECK(sha256_file(path) == std::string(64, 'e'));
    test::write_file(path, "a,b\n1,2\n3,4\n");  // changed: the noted value no longer applies
    CHECK(noted_file_sha256(path).empty());
    CHECK(sha256_file(path) == sha256_hex("a,b\n1,2\n3,4\n"));
    // Rewritten with the same size and its modification time put back (as `cp -p` or
    // `touch -r` do): the status-change time moved, so the noted value no longer applies.
    note_file_sha256(path, std::string(64, 'e'));
    struct stat before {};
    REQUIRE(::stat(path.c_str(), &before) == 0);
    test::write_file(path, "a,b\n9,9\n3,4\n");
    const timespec times[2] = {before.st_atim, before.st_mtim};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
    CHECK(noted_file_sha256(path).empty());
    CHECK(sha256_file(path) == sha256_hex("a,b\n9,9\n3,4\n"));
}

#pragma once
/// @file sha256.hpp
/// SHA-256 of files and buffers (FIPS 180-4), for the manifest's input checksums.

#include <memory>
#include <string>
#include <string_view>

namespace hotspot {

/// Lower-case hex SHA-256 of a buffer.
std::string sha256_hex(std::string_view data);

/// SHA-256 fed piece by piece (OpenSSL's libcrypto).
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view data);
    /// Lower-case hex of what was fed; the digest cannot be fed again after.
    std::string hex();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Lower-case hex SHA-256 of a file's bytes, or the one noted for it (note_file_sha256) while
/// the file is unchanged (the same device, inode, size, modification and status-change times).
/// @throws InputError when it cannot be read.
std::string sha256_file(const std::string& path);

/// Notes the SHA-256 of a file worked out while reading it whole (the incident reader hashes
/// each CSV file's bytes as it parses them, so the manifest need not read the file again:
/// 0.2 s for a million police.uk rows). Thread-safe.
void note_file_sha256(const std::string& path, const std::string& hex);

/// The checksum noted for `path`, while the file is unchanged (as for sha256_file); empty when
/// none.
std::string noted_file_sha256(const std::string& path);

} // namespace hotspot

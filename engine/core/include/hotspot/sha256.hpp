#pragma once
/// @file sha256.hpp
/// SHA-256 of files and buffers (FIPS 180-4), for the manifest's input checksums.

#include <string>
#include <string_view>

namespace hotspot {

/// Lower-case hex SHA-256 of a buffer.
std::string sha256_hex(std::string_view data);

/// Lower-case hex SHA-256 of a file's bytes. @throws InputError when it cannot be read.
std::string sha256_file(const std::string& path);

} // namespace hotspot

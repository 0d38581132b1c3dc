// libFuzzer harness: offence profiles from arbitrary TOML text. Only hotspot errors (InputError
// with the source name, UsageError) may come out, and a profile that reads writes TOML that
// reads back equal.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hotspot/error.hpp"
#include "hotspot/profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    hotspot::Profile p;
    try {
        p = hotspot::parse_profile_toml(text, "fuzz.toml");
    } catch (const hotspot::InputError& e) {
        if (e.file() != "fuzz.toml") std::abort();
        return 0;
    } catch (const hotspot::UsageError&) {
        return 0;
    }
    const std::string written = hotspot::to_toml(p);
    hotspot::Profile again;
    try {
        again = hotspot::parse_profile_toml(written, "written.toml");
    } catch (const hotspot::Error&) {
        std::abort();  // to_toml wrote something parse_profile_toml refuses
    }
    if (!(again == p)) std::abort();
    return 0;
}

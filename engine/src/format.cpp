#include "hotspot/format.hpp"

#include "util/text.hpp"

namespace hotspot {

std::string format_count(std::int64_t n) { return util::thousands(n); }

} // namespace hotspot

#pragma once
// Runs f() and adds its wall time to `acc` (the analyse/write split of a profile's time).

#include <chrono>

#include "util/text.hpp"

namespace hotspot::detail {

template <class F>
decltype(auto) timed(double& acc, F&& f) {
    struct Add {
        double& acc;
        std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
        ~Add() { acc += util::seconds_since(t); }
    } add{acc};
    return f();
}

} // namespace hotspot::detail

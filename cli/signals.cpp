#include "signals.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <pthread.h>
#include <thread>
#include <unistd.h>

#include "hotspot/error.hpp"
#include "hotspot/output_safety.hpp"

namespace hotspot::cli {

namespace {

std::atomic<int> g_signal{0};

// Seconds the engine has to reach a progress call after the first signal.
constexpr int grace_s = 3;  // under the QGIS plugin's 5 s before it sends SIGKILL

[[noreturn]] void give_up(int sig) {
    remove_registered_temporaries();
    std::fprintf(stderr, "error: cancelled (%s); temporaries removed, nothing written\n",
                 sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
    std::fflush(stderr);
    std::_Exit(int(ExitCode::cancelled));
}

void watchdog(sigset_t set) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    g_signal = sig;
    // The main thread sees the flag at its next progress call and unwinds (exit 5). If it
    // has not ended by the deadline, or a second signal comes, clean up here and leave.
    timespec wait{grace_s, 0};
    siginfo_t info{};
    sigtimedwait(&set, &info, &wait);
    give_up(sig);
}

} // namespace

void install_signal_handling() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread(watchdog, set).detach();
}

bool cancel_requested() noexcept { return g_signal.load() != 0; }

const char* cancel_signal_name() noexcept {
    switch (g_signal.load()) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "";
    }
}

} // namespace hotspot::cli

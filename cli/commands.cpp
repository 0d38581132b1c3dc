#include "command.hpp"

namespace hotspot::cli {

const std::vector<Command>& commands() {
    static const std::vector<Command> all = {
        run_command(),
        geocode_command(),
        demo_data_command(),
        kde_command(),
        gistar_command(),
        rates_command(),
        profiles_command(),
        report_command(),
        near_repeat_command(),
        evaluate_command(),
        change_command(),
        hours_command(),
        hotspots_command(),
        emerging_command(),
    };
    return all;
}

} // namespace hotspot::cli

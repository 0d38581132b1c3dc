"""Overall progress of a hotspot command from its per-stage progress.

The CLI's --progress-json lines give each stage's own fraction ({"progress":1.00,
"stage":"read"}, then {"progress":0.25,"stage":"profile drug-possession"}, where a profile's
fraction is the share of the profiles already done, and {"progress":1.00,"stage":"finish"}).
Read as overall progress, the bar reached 100% when reading ended, 2 s into a 14 s run (issue 15).
Here each stage owns a band of the bar, sized by its share of the time of a measured
`hotspot run` (the 29-month Leicestershire pack, 4 profiles, with the report: read 12% of the
wall time, geocoding 4%, the profiles with their outputs 84%, the report and manifest at the
end); the bar reaches 100% only at "finish".

This module does not import QGIS, so it is tested without it (tests/qgis/test_progress.py).
"""

# (stage name, or the first word of a stage such as "profile car-key-burglary"; share of the bar)
STAGE_WEIGHTS = (
    ('read', 0.12),
    ('geocode', 0.04),
    ('profile', 0.64),
    ('report', 0.18),  # the report and the last profile's outputs: the CLI says nothing until "finish"
    ('finish', 0.02),
)


class OverallProgress:
    """Maps (stage, fraction of that stage) to an overall percent that never goes backwards."""

    def __init__(self, weights=STAGE_WEIGHTS):
        total = float(sum(w for _, w in weights)) or 1.0
        self.bands = {}
        start = 0.0
        for name, w in weights:
            self.bands[name] = (start, w / total)
            start += w / total
        self.percent = 0.0
        self.weighted = False  # a stage of the table has been seen (a run, not a single command)

    def update(self, stage, fraction):
        """The overall percent after a progress line (0-100)."""
        try:
            fraction = min(max(float(fraction), 0.0), 1.0)
        except (TypeError, ValueError):
            return self.percent
        key = (stage or '').split(' ', 1)[0]
        if key == 'finish':
            value = 100.0 if fraction >= 1.0 else None
        elif key in self.bands:
            self.weighted = True
            start, width = self.bands[key]
            value = 100.0 * (start + width * fraction)
        elif not self.weighted:
            # a single command (kde, gistar, ...): its one stage is the whole bar, but only
            # "finish" says it is done
            value = 99.0 * fraction
        else:
            value = None  # an unknown stage within a run: stay where we are
        if value is not None and value > self.percent:
            self.percent = value
        return self.percent

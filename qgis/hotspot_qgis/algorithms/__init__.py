"""One algorithm class per engine command."""

from .change import ChangeAlgorithm
from .emerging import EmergingAlgorithm
from .geocode import GeocodeAlgorithm
from .hours import HoursAlgorithm
from .gistar import GiStarAlgorithm
from .kde import KdeAlgorithm
from .near_repeat import NearRepeatAlgorithm
from .rates import RatesAlgorithm
from .run import RunAlgorithm

ALGORITHMS = [GeocodeAlgorithm, KdeAlgorithm, GiStarAlgorithm, RatesAlgorithm, NearRepeatAlgorithm, RunAlgorithm,
              EmergingAlgorithm, ChangeAlgorithm, HoursAlgorithm]

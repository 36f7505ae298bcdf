# The start-up timeline's first mark (`MOBILEPLANS_STARTUP_TIMELINE`): the interpreter is ready
# and our first module loads. Unset, this is one environment look-up.
from simulator import startup_timeline as _startup_timeline

_startup_timeline.mark("interpreter ready: the simulator package loads")

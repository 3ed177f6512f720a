"""What the batch's fork server loads before it forks any worker.

``multiprocessing``'s fork server imports the modules of its preload list once;
every worker is then forked from it with them in memory. Importing this module
loads the batch worker and the model with everything they import (Mesa, numba,
pandas, pyarrow; ~0.5 s CPU), and sets up numba's compiler context, which a
process otherwise does on its first compiled call (~0.3 s CPU): a worker then
only loads its kernels' compiled code from the cache. What it holds then is
frozen for good (:func:`~libyasim.model.heap.freeze_for_good`): the workers
forked from it (the batch's, the dashboard's) share those pages and their
collector never visits those objects.
"""

from __future__ import annotations

from numba.core.registry import cpu_target

from ..model import runner  # noqa: F401 - imported for the fork server
from ..model.heap import freeze_for_good
from . import worker  # noqa: F401 - imported for the fork server

cpu_target.target_context.refresh()
freeze_for_good()

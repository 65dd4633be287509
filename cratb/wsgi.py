"""WSGI entry point: ``gunicorn cratb.wsgi``."""

import atexit
import gc

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from cratb.bootstrap import use_cratb_settings
from cratb.charts import warm_up as warm_up_charts

use_cratb_settings()
application = get_wsgi_application()

# What loading made (Django, the URL map, the analytics libraries: some 140,000 objects)
# lives as long as the process. Frozen out of the garbage collector's reach, a full
# collection no longer walks it: 35 ms on the benchmark machine, a pause that every
# request queued behind it waited for (benchmarks/advice/README.md).
get_resolver().url_patterns  # noqa: B018 - loads the URL map before the freeze
# The charts' JavaScript runtime starts now (about 1 s), not on the first page with a chart.
# Each worker runs this file after its fork (no --preload: a runtime started before a fork
# would not run in the children).
warm_up_charts()
gc.freeze()
# At exit, given back to the collector: the process ends as it would have without the
# freeze (DuckDB's bindings report what is left uncollected).
atexit.register(gc.unfreeze)

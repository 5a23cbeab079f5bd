"""``core.jobs.Job`` is a core model: importing ``core.models`` alone registers the ``job`` table
(metadata, Alembic, the drift test), with no import of the worker module."""
from __future__ import annotations

import subprocess
import sys

from core.db import Base


def test_core_models_registers_the_job_table_without_core_jobs():
    code = (
        "import sys\n"
        "import core.models\n"
        "from core.db import Base\n"
        "assert 'core.jobs' not in sys.modules, 'core.models imported the worker'\n"
        "table = Base.metadata.tables['job']\n"
        "print(sorted(c.name for c in table.columns))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "'kind'" in result.stdout and "'run_at'" in result.stdout


def test_core_jobs_reexports_the_same_classes():
    import core.jobs
    import core.models

    assert core.jobs.Job is core.models.Job
    assert core.jobs.JobStatus is core.models.JobStatus
    assert Base.metadata.tables["job"] is core.models.Job.__table__


def test_importing_core_jobs_first_is_not_circular():
    code = "import core.jobs\nimport core.models\nassert core.jobs.Job is core.models.Job\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr

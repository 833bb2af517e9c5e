from tests.integration.jobs.conftest import _restore_jobs_logger, test_jobs

__all__ = ["_restore_jobs_logger", "test_jobs"]

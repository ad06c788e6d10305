"""The query engine runs in a process of its own, supervised by the server.

pyoxigraph cannot cancel a query, so a runaway query is stopped by killing the
engine process and starting a new one; reads that were in flight on it are
retried. See worker.py (the engine side) and supervisor.py (the server side).
"""

from .supervisor import (EngineBusy, EngineFailure, EngineStartError, EngineSupervisor, QueryTimeout,
                         UpdateFailure)
from .worker import EngineConfig

__all__ = ["EngineBusy", "EngineConfig", "EngineFailure", "EngineStartError", "EngineSupervisor", "QueryTimeout", "UpdateFailure"]

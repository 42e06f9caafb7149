"""A local upstream for the demo and the tests: invented news in real shapes."""

from .faults import Fault
from .server import UpstreamServer

__all__ = ["Fault", "UpstreamServer"]

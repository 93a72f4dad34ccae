"""Read FIT activity files into one frame contract (see docs/frame_contract.md)."""

from stridewise.features.fit.activity import RECORD_SCHEMA, Activity, Device, Session, read_activity
from stridewise.features.fit.errors import FitDecodeError

__all__ = ["RECORD_SCHEMA", "Activity", "Device", "FitDecodeError", "Session", "read_activity"]

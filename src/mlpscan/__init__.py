"""mlpscan: check infrastructure against MLPS 2.0 (GB/T 22239-2019) at levels 1-4.

The library API is what the command line uses:

    content = load_content()                      # checks, profiles, catalogue, provider data
    snapshot = read_snapshot("snapshot.json")     # evidence collected earlier
    profile = content.profile("level3")
    report = evaluate(snapshot, content, profile)
"""

from mlpscan._version import __version__
from mlpscan.content import Content, load_content
from mlpscan.engine import evaluate
from mlpscan.errors import InputError
from mlpscan.findings import Finding, Report, Severity, Status
from mlpscan.profiles import ResolvedProfile
from mlpscan.snapshot import CollectionError, Resource, Snapshot, Target, read_snapshot
from mlpscan.waivers import Waiver

__all__ = [
    "CollectionError",
    "Content",
    "Finding",
    "InputError",
    "Report",
    "ResolvedProfile",
    "Resource",
    "Severity",
    "Snapshot",
    "Status",
    "Target",
    "Waiver",
    "__version__",
    "evaluate",
    "load_content",
    "read_snapshot",
]

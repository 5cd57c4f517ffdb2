import sys
from pathlib import Path

# The repository root, so that tests.support imports whatever the rootdir layout.
_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

"""The package version, in a module of its own so that any layer can read it.

``umbrella_graph.__version__`` re-exports it; modules inside the package import it from
here rather than from the package facade (which sits above every layer).
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"

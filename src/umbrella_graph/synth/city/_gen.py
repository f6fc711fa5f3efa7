"""The generator: the state of :mod:`._state` and the phases, run in one fixed order."""

from __future__ import annotations

import pandas as pd

from .confounders import _Confounders
from .gangs import _Gangs
from .mechanisms import _Mechanisms
from .world import _World
from .writing import _Writing


class _CityGen(_World, _Gangs, _Mechanisms, _Confounders, _Writing):
    """One city: :meth:`build` runs the phases in order and returns the case tables."""

    # ------------------------------------------------------------------ build
    def build(self) -> dict[str, pd.DataFrame]:
        self._tree()
        self._people()
        self._family_ties()
        self._officials()
        self._companies()
        self._gangs()
        self._social_ties()
        self._background()
        self._gang_life()
        self._events()
        self._umbrellas()
        self._confounders()
        self._leads()
        return self._frames()


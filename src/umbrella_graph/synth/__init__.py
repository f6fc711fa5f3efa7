"""Synthetic cases with known truth: the sample case and generated cities.

* :func:`generate_city`: a whole jurisdiction with planted umbrellas, confounders and
  the gaps of real police files, deterministic for a seed;
* :func:`write_sample`: the bundled sample case 清河县 (``data/samples/qinghe``);
* :data:`VOCABULARIES`: the ways a county's export may spell kind columns and post
  titles (the ``vocabulary`` knob of :func:`generate_city`, :mod:`.vocab`).
"""

from __future__ import annotations

from ._common import MECHANISMS, ROLES, SynthCity
from .city import DIFFICULTIES, CityKnobs, generate_city
from .sample import write_sample
from .vocab import VOCABULARIES

__all__ = ["generate_city", "SynthCity", "CityKnobs", "DIFFICULTIES", "ROLES", "MECHANISMS", "VOCABULARIES",
           "write_sample"]

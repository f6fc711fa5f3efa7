"""The campaign's own investigations: tip-offs, accountability, lead triage, disruption."""

from .disruption import disruption_curve
from .leads import triage_leads
from .plan import DisruptionPlan, gang_network, plan_disruption
from .three_investigations import accountability, gang_activity
from .tipoffs import find_tipoffs, tipoffs_summary

__all__ = ["disruption_curve", "find_tipoffs", "tipoffs_summary", "accountability", "gang_activity",
           "triage_leads", "plan_disruption", "DisruptionPlan", "gang_network"]

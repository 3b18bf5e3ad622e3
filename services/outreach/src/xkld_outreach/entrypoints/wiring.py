"""What the composition root hands the routes, as typed dependencies (see
`xkld_shared.http.wiring`)."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends
from xkld_shared.http.wiring import from_app_state

from xkld_outreach.application.broadcasts import Broadcasts
from xkld_outreach.application.campaigns import Campaigns
from xkld_outreach.application.conversion import Conversion
from xkld_outreach.application.erasure import MemberErasure
from xkld_outreach.application.imports import SurveyImport
from xkld_outreach.application.outcomes import Outcomes
from xkld_outreach.application.rollups import Rollups
from xkld_outreach.application.survey import Survey
from xkld_outreach.application.templates import Templates

DbPool = Annotated[asyncpg.Pool, Depends(from_app_state("pool", asyncpg.Pool))]
SurveyDesk = Annotated[Survey, Depends(from_app_state("survey", Survey))]
ImportDesk = Annotated[SurveyImport, Depends(from_app_state("survey_import", SurveyImport))]
RollupDesk = Annotated[Rollups, Depends(from_app_state("rollups", Rollups))]
ConversionDesk = Annotated[Conversion, Depends(from_app_state("conversion", Conversion))]
TemplateDesk = Annotated[Templates, Depends(from_app_state("templates", Templates))]
CampaignDesk = Annotated[Campaigns, Depends(from_app_state("campaigns", Campaigns))]
BroadcastDesk = Annotated[Broadcasts, Depends(from_app_state("broadcasts", Broadcasts))]
OutcomeDesk = Annotated[Outcomes, Depends(from_app_state("outcomes", Outcomes))]
ErasureDesk = Annotated[MemberErasure, Depends(from_app_state("member_erasure", MemberErasure))]

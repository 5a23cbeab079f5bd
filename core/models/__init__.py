"""Core models. Importing this package registers every core table on Base.metadata."""
from core.models.audit import AuditEntry
from core.models.document import Document
from core.models.family import Child, ChildFamily, ContactPerson, Family, Language
from core.models.incident import IncidentEntry, IncidentKind
from core.models.job import Job, JobStatus
from core.models.location import CareType, LivingGroup, Location, OpeningHours
from core.models.organisation import (
    Koepel,
    Organisation,
    OrganisationModule,
    OrganisationSetting,
    PriceRegime,
    SubsidyLevel,
)
from core.models.secret import OutboundSecret
from core.models.user import LoginThrottle, Role, User, UserSession, user_location

__all__ = [
    "AuditEntry", "CareType", "Child", "ChildFamily", "ContactPerson", "Document", "Family", "IncidentEntry", "IncidentKind", "Job", "JobStatus",
    "Koepel", "Language", "LivingGroup", "Location", "LoginThrottle", "OpeningHours", "Organisation",
    "OrganisationModule", "OrganisationSetting", "OutboundSecret", "PriceRegime", "Role", "SubsidyLevel",
    "User", "UserSession", "user_location",
]

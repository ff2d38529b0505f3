"""What handlers receive by name: the acting ``Actor``, the clock, the portal they are in, settings."""

from __future__ import annotations

from litestar.di import NamedDependency

from channel.visibility import Actor
from core.clock import Clock
from portal.documents.renderer import DocumentRenderer
from portal.portals import Portal
from portal.security.throttling import AccountThrottle
from portal.settings import Settings

CurrentActor = NamedDependency[Actor]
CurrentClock = NamedDependency[Clock]
CurrentPortal = NamedDependency[Portal]
CurrentSettings = NamedDependency[Settings]
SignInThrottle = NamedDependency[AccountThrottle]
CurrentRenderer = NamedDependency[DocumentRenderer]

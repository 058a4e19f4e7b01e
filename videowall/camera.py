"""Camera records: the plain data every other part of videowall refers to."""

from __future__ import annotations

from dataclasses import dataclass, field

from videowall.logs import mask_url

BACKENDS = ("auto", "vlc", "ffmpeg")


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class Site:
    """A road point or a building where cameras stand."""

    id: str
    name: str
    location: Location | None = None


@dataclass(frozen=True)
class Agency:
    """The owner of a camera: a department, an agency (OPD) or a private operator."""

    id: str
    name: str
    colour: str = ""
    contact: str = ""


@dataclass(frozen=True)
class Camera:
    """One camera of the registry.

    ``url`` is the main stream; ``sub_url`` the optional small stream for grid tiles.
    URLs may hold credentials: use :attr:`safe_url` for anything a person reads.
    """

    id: str
    name: str
    site: str
    url: str = field(repr=False)
    agency: str = ""
    sub_url: str | None = field(default=None, repr=False)
    backend: str = "auto"
    enabled: bool = True
    location: Location | None = None
    heading: float | None = None
    tags: tuple[str, ...] = ()

    @property
    def safe_url(self) -> str:
        return mask_url(self.url)


@dataclass(frozen=True)
class Registry:
    """A validated camera list with its sites and agencies."""

    cameras: tuple[Camera, ...] = ()
    sites: dict[str, Site] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    source: str = ""

    def get(self, camera_id: str) -> Camera | None:
        for cam in self.cameras:
            if cam.id == camera_id:
                return cam
        return None

    def site_name(self, site_id: str) -> str:
        site = self.sites.get(site_id)
        return site.name if site else site_id

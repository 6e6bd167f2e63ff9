"""RumService: RUM applications and key validation."""

from __future__ import annotations

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.models import (
    RumApplication,
    RumApplicationListResponse,
    ValidateKeysResponse,
    ValidateResponse,
)


class RumService:
    def __init__(self, client: DatadogClient) -> None:
        self.client = client

    async def list_applications(self) -> list[RumApplication]:
        body = await self.client.request_model(
            "list the RUM applications", "GET", "/api/v2/rum/applications", RumApplicationListResponse
        )
        return body.data

    async def validate_keys(self) -> None:
        """Check the API key and the application key together; raises AuthError when rejected."""
        await self.client.request_model(
            "validate the keys", "GET", "/api/v2/validate_keys", ValidateKeysResponse
        )

    async def validate_api_key(self) -> None:
        """Check the API key alone (v1); raises AuthError when rejected."""
        await self.client.request_model(
            "validate the API key", "GET", "/api/v1/validate", ValidateResponse
        )

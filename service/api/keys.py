"""API keys: admins create, list and revoke them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from schemas.keys import KeyCreate, KeyCreatedOut, KeyOut
from service.api.blueprint import Blueprint
from service.api.context import current_actor, db_session, requires
from service.domain.enums import Role
from service.operations.auth import create_api_key, list_api_keys, revoke_api_key

blp = Blueprint(
    "keys",
    __name__,
    url_prefix="/api/v1/keys",
    description="API keys and their roles (admins only).",
)


@blp.route("")
class Keys(MethodView):
    @requires(Role.ADMIN)
    @blp.response(200, KeyOut(many=True))
    def get(self) -> Any:
        """Every key, revoked ones included; secrets are never shown again."""
        return list_api_keys(db_session())

    @requires(Role.ADMIN)
    @blp.arguments(KeyCreate)
    @blp.response(201, KeyCreatedOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a key; the response holds its secret, shown this once."""
        session = db_session()
        key, secret = create_api_key(
            session, current_actor(), name=data["name"], role=Role(data["role"])
        )
        session.commit()
        fields = ("id", "name", "role", "prefix", "created_at", "revoked_at")
        return {name: getattr(key, name) for name in fields} | {"key": secret}


@blp.route("/<int:key_id>/revoke")
class KeyRevoke(MethodView):
    @requires(Role.ADMIN)
    @blp.response(200, KeyOut)
    def post(self, key_id: int) -> Any:
        """Revoke a key: it stops working at once and cannot be restored."""
        session = db_session()
        key = revoke_api_key(session, current_actor(), key_id)
        session.commit()
        return key

"""The editor's menu without the image and document libraries, which are closed
(cratb/cms/editors.py)."""

from __future__ import annotations

from typing import Any

from wagtail import hooks


@hooks.register("construct_main_menu")
def hide_closed_libraries(request: Any, menu_items: list[Any]) -> None:
    menu_items[:] = [item for item in menu_items if item.name not in {"images", "documents"}]

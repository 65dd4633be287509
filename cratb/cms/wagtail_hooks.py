"""The editor's menus without its closed parts (cratb/cms/editors.py)."""

from __future__ import annotations

from typing import Any

from wagtail import hooks

CLOSED_MENU_ITEMS = frozenset({"images", "documents", "users", "groups", "api_tokens"})


@hooks.register("construct_main_menu")
def hide_closed_libraries(request: Any, menu_items: list[Any]) -> None:
    menu_items[:] = [item for item in menu_items if item.name not in CLOSED_MENU_ITEMS]


@hooks.register("construct_settings_menu")
def hide_closed_settings(request: Any, menu_items: list[Any]) -> None:
    menu_items[:] = [item for item in menu_items if item.name not in CLOSED_MENU_ITEMS]


@hooks.register("construct_homepage_summary_items", order=100)
def hide_closed_summaries(request: Any, summary_items: list[Any]) -> None:
    # The dashboard's counts of images and documents link to the closed libraries; run
    # after the hooks of wagtail.images and wagtail.documents, which add them.
    summary_items[:] = [
        item
        for item in summary_items
        if type(item).__name__ not in {"ImagesSummaryItem", "DocumentsSummaryItem"}
    ]

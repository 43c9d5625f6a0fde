"""Renderings of the Slack app's check-in modal and Home tab for docs/SLACK.md.

Not a test module (no ``test_`` prefix): ``make screenshots`` runs it. With the demo data on
a Learning Day, it builds the real views for the demo member with the app's own builders
(``slackapp.checkin.modal``, ``slackapp.home.home_view``), writes their Block Kit JSON to
docs/slack/<name>.json (paste one into Slack's Block Kit Builder to see it in Slack's own
look) and a PNG drawn from it, in a plain approximation of Slack's style, to
docs/slack/<name>.png.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from learningday.models import User

OUT = Path(__file__).resolve().parents[2] / "docs" / "slack"

STYLE = """
body { font: 15px/1.45 -apple-system, 'Segoe UI', Lato, sans-serif; color: #1d1c1d; margin: 0;
  background: #f4f4f4; }
.frame { background: #fff; margin: 16px; border-radius: 8px; box-shadow: 0 2px 12px rgba(0,0,0,.2); width: 520px; }
.frame.home { width: 720px; }
.title { font-weight: 700; font-size: 20px; padding: 16px 20px; border-bottom: 1px solid #ddd; }
.blocks { padding: 12px 20px; }
.block { margin: 10px 0; }
.header { font-size: 18px; font-weight: 800; }
.context { color: #616061; font-size: 13px; }
label { display: block; font-weight: 700; margin-bottom: 4px; }
.optional { font-weight: 400; color: #616061; }
.input { border: 1px solid #bbb; border-radius: 4px; padding: 8px; min-height: 20px; color: #1d1c1d; }
.input.multi { min-height: 60px; white-space: pre-wrap; }
.placeholder { color: #8d8d8d; }
.hint { color: #616061; font-size: 13px; margin-top: 4px; }
.radio div::before { content: "○ "; } .radio div.on::before { content: "◉ "; }
.button { display: inline-block; border: 1px solid #bbb; border-radius: 4px; padding: 4px 12px;
  margin: 0 6px 6px 0; font-weight: 700; }
.button.primary { background: #007a5a; color: #fff; border-color: #007a5a; }
.button.danger { background: #e01e5a; color: #fff; border-color: #e01e5a; }
.footer { display: flex; justify-content: flex-end; gap: 8px; padding: 12px 20px; border-top: 1px solid #ddd; }
hr { border: 0; border-top: 1px solid #ddd; }
a { color: #1264a3; text-decoration: none; }
"""


def mrkdwn(text: str) -> str:
    """Slack's mrkdwn as HTML, roughly: links, bold, italics, quotes, line breaks."""
    text = html.unescape(text)
    out = html.escape(text)
    out = re.sub(r"&lt;(https?://[^|&]+?)\|(.+?)&gt;", r'<a href="\1">\2</a>', out)
    out = re.sub(r"&lt;(https?://[^&]+?)&gt;", r'<a href="\1">\1</a>', out)
    out = re.sub(r"(?<![\w*])\*([^*\n]+)\*", r"<b>\1</b>", out)
    out = re.sub(r"(?<![\w_])_([^_\n]+)_", r"<i>\1</i>", out)
    out = re.sub(r"^&gt;(.*)$", r'<span class="context">│ \1</span>', out, flags=re.M)
    return out.replace("\n", "<br>")


def _text(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    return mrkdwn(obj["text"]) if obj.get("type") == "mrkdwn" else html.escape(obj.get("text", ""))


def _element(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "button":
        style = element.get("style", "")
        return f'<span class="button {style}">{_text(element["text"])}</span>'
    if kind == "plain_text_input":
        value = element.get("initial_value")
        shown = html.escape(value) if value else f'<span class="placeholder">{_text(element.get("placeholder"))}</span>'
        return f'<div class="input{" multi" if element.get("multiline") else ""}">{shown}</div>'
    if kind in {"static_select", "external_select", "multi_external_select", "multi_static_select"}:
        chosen = element.get("initial_option") or (element.get("initial_options") or [None])[0]
        shown = (
            _text(chosen["text"])
            if chosen
            else f'<span class="placeholder">{_text(element.get("placeholder")) or "Select…"}</span>'
        )
        return f'<div class="input">{shown} ▾</div>'
    if kind == "radio_buttons":
        initial = (element.get("initial_option") or {}).get("value")
        rows = "".join(
            f'<div class="{"on" if o["value"] == initial else ""}">{_text(o["text"])}</div>' for o in element["options"]
        )
        return f'<div class="radio">{rows}</div>'
    if kind == "number_input":
        return f'<div class="input">{html.escape(str(element.get("initial_value", "")))}</div>'
    return f'<div class="input">[{html.escape(str(kind))}]</div>'


def _block(block: dict[str, Any]) -> str:
    kind = block["type"]
    if kind == "header":
        return f'<div class="block header">{_text(block["text"])}</div>'
    if kind == "divider":
        return "<hr>"
    if kind == "context":
        return f'<div class="block context">{" ".join(_text(e) for e in block["elements"])}</div>'
    if kind == "actions":
        return f'<div class="block">{"".join(_element(e) for e in block["elements"])}</div>'
    if kind == "section":
        fields = "".join(f"<div>{_text(f)}</div>" for f in block.get("fields", []))
        accessory = _element(block["accessory"]) if block.get("accessory") else ""
        return f'<div class="block">{_text(block.get("text"))}{fields}{accessory}</div>'
    if kind == "input":
        optional = ' <span class="optional">(optional)</span>' if block.get("optional") else ""
        hint = f'<div class="hint">{_text(block.get("hint"))}</div>' if block.get("hint") else ""
        label = f"<label>{_text(block['label'])}{optional}</label>"
        return f'<div class="block">{label}{_element(block["element"])}{hint}</div>'
    return f'<div class="block context">[{html.escape(kind)}]</div>'


def render(view: dict[str, Any]) -> str:
    blocks = "".join(_block(b) for b in view.get("blocks", []))
    if view.get("type") == "home":
        body = f'<div class="frame home"><div class="blocks">{blocks}</div></div>'
    elif view.get("type") == "message":
        bot = '<div class="block"><b>Learning Day</b> <span class="context">APP</span></div>'
        body = f'<div class="frame"><div class="blocks">{bot}{blocks}</div></div>'
    else:
        footer = f'<span class="button">{_text(view.get("close"))}</span>' if view.get("close") else ""
        footer += f'<span class="button primary">{_text(view.get("submit"))}</span>' if view.get("submit") else ""
        body = (
            f'<div class="frame"><div class="title">{_text(view.get("title"))}</div>'
            f'<div class="blocks">{blocks}</div><div class="footer">{footer}</div></div>'
        )
    title = _text(view.get("title")) or "Home"
    head = f"<meta charset=utf-8><title>{title}</title><style>{STYLE}</style>"
    return f"<!doctype html><html lang=en>{head}<body>{body}</body></html>"


def write(browser: Browser, name: str, view: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(view, indent=2, ensure_ascii=False) + "\n")
    page = browser.new_page(viewport={"width": 800, "height": 600})
    page.set_content(render(view))
    page.locator(".frame").screenshot(path=OUT / f"{name}.png", animations="disabled")
    page.close()


def message(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """A message's blocks, framed as a message for ``render``."""
    return {"type": "message", "blocks": blocks}


@pytest.mark.django_db(transaction=True)
def test_slack_renderings(browser, on_a_learning_day, demo_data):
    from learningday import calendar
    from logs.selectors import last_plan, streak
    from reimbursements.models import Claim
    from slackapp import checkin, claims, home, reminders

    member = User.objects.get(email="member@example.com")
    today = calendar.user_today(member)
    write(browser, "checkin-modal", checkin.modal(user=member))
    write(browser, "home-tab", home.home_view(member))
    plan = last_plan(member, before=today)
    write(browser, "morning-dm", message(reminders.morning_message(today, plan.whats_next if plan else "")[1]))
    entry = member.entries.order_by("-day").first()
    _, confirmation = checkin.confirmation_blocks(entry, created=True, streak=streak(member, today=entry.day))
    write(browser, "checkin-done-dm", message(confirmation))
    claim = Claim.objects.filter(state=Claim.State.SUBMITTED).order_by("pk").first()
    write(browser, "claim-to-decide-dm", message(claims.to_decide(claim)["blocks"]))

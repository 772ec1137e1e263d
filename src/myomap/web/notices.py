"""What a page says after a create or save: one table of messages, carried by ``?done=<key>``.

A form that saved answers with a redirect (so that reloading the page sends nothing twice) made by
:func:`see_other`; the page it leads to shows the message in ``base.html`` as a ``role="status"``
line. Only keys of :data:`NOTICES` are shown, so the address cannot put words on the page. The
key stays in the address (no cookie, no server state: any worker can answer the next request);
a reload shows the message again, which says nothing untrue.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from fastapi.responses import RedirectResponse

NOTICES = {
    "client_added": "Client added.",
    "client_saved": "Changes saved.",
    "client_archived": "Client archived. Their record is kept and can be restored at any time.",
    "client_restored": "Client restored to the active list.",
    "drawing_saved": "Pain drawing saved.",
    "drawing_corrected": "Corrections saved. The previous version is kept in the audit log.",
    "drawing_signed": "Pain drawing signed. It can no longer be changed.",
    "drawing_deleted": "Pain drawing deleted. It is kept with the reason, and the clinic owner can restore it from this page.",
    "drawing_restored": "Pain drawing restored.",
    "assessment_created": "Assessment created. Take or upload the photos below.",
    "assessment_saved": "Changes saved.",
    "photo_analysed": "Photo analysed and saved. Check the landmarks: the model's points are a draft.",
    "photo_removed": "Photo removed.",
    "landmarks_saved": "Landmarks saved. The metrics, patterns and annotated photo now use them.",
    "palpate_added": "Added to the list to palpate this session.",
    "palpate_removed": "Removed from the list to palpate this session.",
    "user_added": "User added.",
    "user_deactivated": "User deactivated: they can no longer sign in.",
    "user_activated": "User active again: they can sign in.",
    "two_factor_requirement_saved": "Two-factor setting saved.",
    "locale_saved": "Date format saved: every page of the clinic now writes dates this way.",
    "token_revoked": "Token revoked: it no longer works.",
    "two_factor_off": "Two-factor sign-in is off.",
}
PARAM = "done"


def see_other(url: str, notice: str) -> RedirectResponse:
    """Redirect after a successful form to ``url``, which then says ``NOTICES[notice]``."""
    if notice not in NOTICES:
        raise KeyError(f"no notice {notice!r}: add it to NOTICES")
    parts = urlsplit(url)
    query = f"{parts.query}&{PARAM}={notice}" if parts.query else f"{PARAM}={notice}"
    return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=303)


def notice_for(key: str | None) -> str | None:
    """The message for the key in a page's address, or None."""
    return NOTICES.get(key or "")

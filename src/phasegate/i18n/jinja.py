"""The catalog in Jinja templates: ``jinja2.ext.i18n`` with the locale from the context.

A template says ``{{ _("login_title") }}`` or ``{{ _("login_sent", email=email) }}``; the
catalog is the one of the ``locale`` variable its page was rendered with (bokmål when
none). Imported macros see it when imported ``with context``.
"""

from __future__ import annotations

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from phasegate.i18n.catalog import words


@pass_context
def _gettext(context: Context, key: str) -> str:
    return words(context.get("locale")).gettext(key)


@pass_context
def _ngettext(context: Context, key: str, plural: str, count: int) -> str:
    return words(context.get("locale")).ngettext(key, plural, count)


@pass_context
def word_or(context: Context, key: str, default: str) -> str:
    """The catalog's word for ``key``, or ``default`` (data, e.g. an unknown event kind
    from a newer version) when the catalog has none."""
    return words(context.get("locale")).get(key, default)


def install(environment: Environment) -> None:
    """Give ``environment`` the catalog: ``_``, ``gettext``, ``ngettext`` and ``word_or``."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    environment.globals["word_or"] = word_or

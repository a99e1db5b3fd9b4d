"""The trend pages (issue 13 section 2): concerns, child-on-child abuse, exploitation and the clocks, each as
tables with charts beside them and a CSV download, over the establishments the person oversees."""

from dataclasses import dataclass

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from safekeep.core import clock
from safekeep.core.db_router import reads_from_replica

from . import measures as m
from . import tables
from .export import trends_csv
from .forms import DrillForm, TrendFilterForm
from .selectors import read_trends, trend_establishments
from .drill import drill_page


@dataclass(frozen=True)
class Section:
    slug: str
    url_name: str
    title: str
    lead: str
    build: object
    by_establishment: tuple = (m.ALL,)
    over_terms: str = m.ALL
    over_terms_values: tuple | None = None


SECTIONS = {section.slug: section for section in [
    Section("concerns", "trends:concerns", "Concerns",
            "How many concerns were recorded, about whom, where and when: for spotting patterns early "
            "(CoC 6.6, CoC 2.5 e-f, CE 10.6).", tables.concerns_tables),
    Section("child-on-child", "trends:child_on_child", "Child-on-child abuse",
            "Concerns with a form of child-on-child abuse (CoC 2.2), where they sit on the Hackett continuum "
            "(CoC 3.2) and the genders of the children involved (CoC 4.2).", tables.child_on_child_tables,
            by_establishment=(m.CHILD_ON_CHILD,), over_terms=m.CHILD_ON_CHILD),
    Section("exploitation", "trends:exploitation", "Exploitation",
            "Concerns by type of exploitation: child sexual and criminal exploitation, county lines, trafficking "
            "and online grooming. Exploitation risks are reviewed at every governance and SLT meeting (CE 10.6).",
            tables.exploitation_tables, over_terms=m.CATEGORY,
            over_terms_values=m.categories().exploitation),
    Section("clocks", "trends:clocks", "The clocks",
            "Whether the steps the policies require were done on time, how long a concern waited for the DSL's "
            "decision and for a referral (CE 10.1, CoC 10.5), and referrals still waiting for the agency's answer "
            "(Working Together 2023).", tables.clocks_tables, by_establishment=(m.ACTIONS, m.REFERRALS)),
]}


def _figures(request, section: Section, audited_as="trends.view"):
    form = TrendFilterForm(request.GET or None, establishments=trend_establishments(request.user))
    establishment_ids, period = form.chosen()
    figures = read_trends(request.user, establishment_ids=establishment_ids, period=period,
                          by_establishment=section.by_establishment, over_terms=section.over_terms,
                          over_terms_values=section.over_terms_values, audited_as=audited_as)
    return form, figures


@reads_from_replica
def page(request, section):
    section = SECTIONS[section]
    form, figures = _figures(request, section)
    query = form.query()
    built = section.build(tables.Builder(figures, query))
    as_of = figures.figures_as_of and timezone.localtime(figures.figures_as_of)
    return render(request, "trends/page.html", {
        "section": section, "sections": SECTIONS.values(), "form": form, "figures": figures, "tables": built,
        "as_of": as_of, "as_of_today": as_of and as_of.date() == clock.today(),
        "csv_url": reverse(f"{section.url_name}_csv"), "query": query}, status=400 if form.errors else 200)


@reads_from_replica
def csv(request, section):
    """The page's tables as CSV, a line at a time, formula-safe (as the sharing register's export)."""
    section = SECTIONS[section]
    form, figures = _figures(request, section, audited_as="trends.export")
    built = section.build(tables.Builder(figures, form.query()))
    response = StreamingHttpResponse(trends_csv(section.title, figures, built), content_type="text/csv; charset=utf-8")
    stamp = clock.now().astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="trends-{section.slug}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def drill(request):
    """The concerns behind one count, as many as the person may read (concerns_visible_to decides)."""
    # Always bound: with no choices at all it lists every concern behind the page's totals this year.
    form = DrillForm(request.GET, establishments=trend_establishments(request.user))
    return drill_page(request, form)

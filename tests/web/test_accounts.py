"""Staff accounts: the permission table, unit scopes, login/logout/home, the 403 page, audit log, admin, demo staff."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.views import View

from homeoffice.web.accounts.audit import Verb, log_event, record
from homeoffice.web.accounts.demo import demo_password, seed_demo_staff
from homeoffice.web.accounts.guard import StaffAccessMixin
from homeoffice.web.accounts.models import AuditEvent, Membership, Role
from homeoffice.web.accounts.permissions import (
    ANYWHERE,
    ROLE_PERMS,
    Grant,
    Perm,
    allowed,
    allowed_units,
    grant_of,
    load_access,
    visible_units,
)
from homeoffice.web.actions.models import Action
from homeoffice.web.i18n import catalogue
from homeoffice.web.organisations.models import Organisation, Unit
from tests.web.factories_staff import PASSWORD, WHO, make_people, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world() -> dict:
    return make_people()


def _as(client, world: dict, who: str):
    if who != "anonymous":
        client.force_login(world["people"][who])
    return client


# --- the rules, as pure functions -----------------------------------------------------------------

# Units 1 > (2 > (4, 5), 3 > (6, 7)): the shape of the test tree, without a database.
PARENTS = {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 3}
SALES, DEV, NORTH, APP = 2, 3, 4, 6


@pytest.mark.parametrize(
    "role, perm, expected",
    [
        (Role.ORG_ADMIN, Perm.MANAGE_MEMBERS, True),
        (Role.HR, Perm.MANAGE_MEMBERS, False),
        (Role.HR, Perm.VIEW_HIDDEN, True),
        (Role.HR, Perm.MANAGE_WAVES, True),
        (Role.HR, Perm.EXPORT_DATA, True),
        (Role.OCCUPATIONAL_HEALTH, Perm.VIEW_ORG_DASHBOARD, True),
        (Role.OCCUPATIONAL_HEALTH, Perm.EDIT_ACTION_PLAN, False),
        (Role.OCCUPATIONAL_HEALTH, Perm.COMMENT_ACTION_PLAN, True),
        (Role.OCCUPATIONAL_HEALTH, Perm.EXPORT_DATA, False),
        (Role.SAFETY_REP, Perm.COMMENT_ACTION_PLAN, True),
        (Role.SAFETY_REP, Perm.EDIT_ACTION_PLAN, False),
        (Role.SAFETY_REP, Perm.VIEW_HIDDEN, False),
        (Role.RESEARCHER, Perm.EXPORT_DATA, True),
        (Role.RESEARCHER, Perm.VIEW_ACTION_PLAN, False),
        (Role.RESEARCHER, Perm.VIEW_UNIT_DASHBOARD, False),
    ],
)
def test_whole_organisation_roles_follow_the_table(role, perm, expected):
    assert allowed([grant_of(role)], perm, PARENTS) is expected
    # A whole-organisation role has the same right for every unit and for the organisation as a whole.
    assert allowed([grant_of(role)], perm, PARENTS, NORTH) is expected
    assert allowed([grant_of(role)], perm, PARENTS, None) is expected


def test_a_manager_acts_for_their_units_and_everything_below_but_not_for_siblings_or_the_organisation():
    sales = [grant_of(Role.MANAGER, [SALES])]
    assert allowed_units(sales, Perm.VIEW_UNIT_DASHBOARD, PARENTS) == {2, 4, 5}
    assert allowed(sales, Perm.EDIT_ACTION_PLAN, PARENTS, NORTH)
    assert not allowed(sales, Perm.EDIT_ACTION_PLAN, PARENTS, APP)
    assert not allowed(sales, Perm.VIEW_UNIT_DASHBOARD, PARENTS, 1)  # the unit above is not theirs
    assert not allowed(sales, Perm.VIEW_ORG_DASHBOARD, PARENTS)
    assert not allowed(sales, Perm.EXPORT_DATA, PARENTS)
    # The organisation-wide part of the action plan: read and comment, never edit.
    assert allowed(sales, Perm.VIEW_ACTION_PLAN, PARENTS, None)
    assert allowed(sales, Perm.COMMENT_ACTION_PLAN, PARENTS, None)
    assert not allowed(sales, Perm.EDIT_ACTION_PLAN, PARENTS, None)
    # A unit of another organisation (not in PARENTS) is never allowed, not even for HR.
    assert not allowed([grant_of(Role.HR)], Perm.VIEW_UNIT_DASHBOARD, PARENTS, 99)


def test_a_manager_without_units_and_a_safety_rep_with_an_area():
    assert grant_of(Role.MANAGER) == Grant(Role.MANAGER, frozenset())
    assert not allowed([grant_of(Role.MANAGER)], Perm.VIEW_ACTION_PLAN, PARENTS)
    assert allowed_units([grant_of(Role.MANAGER)], Perm.VIEW_UNIT_DASHBOARD, PARENTS) == frozenset()
    area = [grant_of(Role.SAFETY_REP, [DEV])]
    assert allowed_units(area, Perm.VIEW_UNIT_DASHBOARD, PARENTS) == {3, 6, 7}
    assert not allowed(area, Perm.VIEW_ORG_DASHBOARD, PARENTS)  # only the main safety rep sees the whole
    assert allowed([grant_of(Role.SAFETY_REP)], Perm.VIEW_ORG_DASHBOARD, PARENTS)
    assert grant_of(Role.HR, [SALES]) == Grant(Role.HR, None)  # units mean nothing for whole-org roles


def test_roles_add_up_and_every_role_is_in_the_table():
    both = [grant_of(Role.MANAGER, [SALES]), grant_of(Role.RESEARCHER)]
    assert allowed(both, Perm.EXPORT_DATA, PARENTS) and allowed(both, Perm.EDIT_ACTION_PLAN, PARENTS, NORTH)
    assert set(ROLE_PERMS) == set(Role.values)
    assert ROLE_PERMS[Role.ORG_ADMIN] == frozenset(Perm)


def test_a_cycle_in_bad_unit_data_does_not_hang():
    assert not allowed([grant_of(Role.MANAGER, [9])], Perm.VIEW_UNIT_DASHBOARD, {1: 2, 2: 1}, 1)


# --- bound to the database -----------------------------------------------------------------------


def test_visible_units_per_person(world):
    tree, org, people = world["tree"], world["org"], world["people"]
    names = {who: {u.pk for u in visible_units(people[who], org)} for who in WHO}
    assert names["manager"] == {tree["sales"].pk, tree["north"].pk, tree["south"].pk}
    assert names["sibling_manager"] == {tree["dev"].pk, tree["app"].pk, tree["dev_north"].pk}
    everything = set(Unit.objects.filter(organisation=org).values_list("pk", flat=True))
    assert names["hr"] == names["org_admin"] == names["safety_rep"] == names["occupational_health"] == everything
    assert names["researcher"] == names["outsider"] == names["nobody"] == set()


def test_access_knows_roles_and_a_superuser_is_admin_everywhere(world):
    org = world["org"]
    both = member("sales-manager", org, Role.SAFETY_REP)  # the Sales manager is also the safety rep
    access = load_access(both, org)
    assert access.roles == ["manager", "safety_rep"]
    assert access.can(Perm.VIEW_ORG_DASHBOARD) and not access.can(Perm.EDIT_ACTION_PLAN, world["tree"]["app"])
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    assert load_access(root, world["other"]).can(Perm.MANAGE_MEMBERS)
    inactive = world["people"]["hr"]
    inactive.is_active = False
    assert not load_access(inactive, org).can(Perm.VIEW_ACTION_PLAN, ANYWHERE)


class _Page(StaffAccessMixin, View):
    required_perm = Perm.EXPORT_DATA

    def get(self, request):
        if request.GET.get("unit"):
            self.access.require(Perm.VIEW_UNIT_DASHBOARD, int(request.GET["unit"]))
        return HttpResponse(",".join(self.access.roles))


@pytest.mark.parametrize(
    "who, status",
    [("anonymous", 302), ("researcher", 200), ("hr", 200), ("manager", 403), ("outsider", 403), ("nobody", 403)],
)
def test_the_class_based_mixin_answers_like_the_decorator(world, who, status):
    request = RequestFactory().get("/staff/x/")
    request.session = {}
    request.user = world["people"][who] if who != "anonymous" else _anonymous()
    response = _Page.as_view()(request, org_slug=world["org"].slug)
    assert response.status_code == status
    assert "no-store" in response["Cache-Control"]
    if status == 302:
        assert response["Location"].startswith(reverse("accounts:login"))
    if who == "researcher":  # the view's own check: a researcher sees no unit
        request.GET = request.GET.copy()
        request.GET["unit"] = str(world["tree"]["north"].pk)
        assert _Page.as_view()(request, org_slug=world["org"].slug).status_code == 403


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


# --- login, logout, home, 403 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, wrong, empty",
    [
        ("nb", "Brukernavnet eller passordet er feil", "Skriv passordet ditt."),
        ("en", "The user name or the password is wrong", "Enter your password."),
    ],
)
def test_login_speaks_nb_and_en_and_refuses_a_wrong_password(client, world, lang, wrong, empty):
    url = reverse("accounts:login") + f"?lang={lang}"
    page = client.get(url)
    assert page.status_code == 200 and f'<html lang="{lang}">' in page.content.decode()
    bad = client.post(url, {"username": "hr", "password": "not-the-password"})
    assert bad.status_code == 200 and wrong in bad.content.decode()
    assert "_auth_user_id" not in client.session
    missing = client.post(url, {"username": "hr", "password": ""})
    assert empty in missing.content.decode() and 'aria-invalid="true"' in missing.content.decode()


def test_login_goes_to_next_or_home_and_logout_needs_post(client, world):
    plan = reverse("actions:index", args=[world["org"].slug])
    response = client.post(reverse("accounts:login"), {"username": "hr", "password": PASSWORD, "next": plan})
    assert response.status_code == 302 and response["Location"] == plan
    assert client.get(reverse("accounts:login")).status_code == 302  # logged in already: straight home
    assert client.get(reverse("accounts:logout")).status_code == 405
    out = client.post(reverse("accounts:logout") + "?lang=en")
    assert out.status_code == 302 and out["Location"] == reverse("accounts:login") + "?lang=en"
    assert client.get(reverse("accounts:home")).status_code == 302


def test_login_refuses_an_offsite_next(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": "hr", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:home")


def test_home_lists_organisations_roles_scope_and_links(client, world):
    org = world["org"]
    page = _as(client, world, "manager").get(reverse("accounts:home") + "?lang=en").content.decode()
    assert org.name in page and "Manager" in page and "Acme &gt; Sales and the units below it" in page
    assert reverse("actions:index", args=[org.slug]) in page
    assert "create and edit actions in the action plan" in page and "export anonymous data" not in page
    assert world["other"].name not in page


def test_home_of_a_researcher_and_of_a_person_without_roles(client, world):
    page = _as(client, world, "researcher").get(reverse("accounts:home") + "?lang=nb").content.decode()
    assert "eksportere anonyme data" in page and "Hele organisasjonen" in page
    assert reverse("actions:index", args=[world["org"].slug]) not in page
    client.logout()
    page = _as(client, world, "nobody").get(reverse("accounts:home") + "?lang=en").content.decode()
    assert "You have no role in any organisation yet" in page


def test_an_org_admin_with_staff_access_gets_the_member_admin_link(client, world):
    boss = world["people"]["org_admin"]
    boss.is_staff = True
    boss.save()
    page = _as(client, world, "org_admin").get(reverse("accounts:home")).content.decode()
    assert reverse("admin:accounts_membership_changelist") in page


@pytest.mark.parametrize(
    "lang, title, body",
    [
        ("nb", "Ingen tilgang", "Brukeren researcher har ikke tilgang til denne siden i"),
        ("en", "Access denied", "The user researcher does not have access to this page in"),
    ],
)
def test_the_403_page_is_styled_and_translated(client, world, lang, title, body):
    response = _as(client, world, "researcher").get(
        reverse("actions:index", args=[world["org"].slug]) + f"?lang={lang}"
    )
    page = response.content.decode()
    assert response.status_code == 403 and f"<h1>{title}</h1>" in page and body in page
    assert "site.css" in page and "no-store" in response["Cache-Control"]


def test_language_choice_is_remembered_across_staff_pages(client, world):
    _as(client, world, "hr").get(reverse("accounts:home") + "?lang=en")
    assert "My organisations" in client.get(reverse("accounts:home")).content.decode()


# --- the permission walk of the accounts URLs -----------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", *WHO])
def test_permission_walk_of_the_account_pages(client, world, who):
    _as(client, world, who)
    home = client.get(reverse("accounts:home"))
    login = client.get(reverse("accounts:login"))
    logout_get = client.get(reverse("accounts:logout"))
    if who == "anonymous":
        assert (home.status_code, login.status_code) == (302, 200)
        assert home["Location"] == reverse("accounts:login") + "?next=" + reverse("accounts:home")
    else:
        assert (home.status_code, login.status_code) == (200, 302)
    assert logout_get.status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302


# --- the audit log --------------------------------------------------------------------------------


def test_record_writes_who_did_what_without_content(world):
    request = RequestFactory().get("/")
    request.user = world["people"]["hr"]
    event = record(
        request,
        Verb.EXPORTED,
        organisation=world["org"],
        object_type="wave_export",
        object_id=world["wave"],
        wave=world["wave"],
        unit=world["tree"]["north"],
        format="sav",
    )
    event.refresh_from_db()
    assert (event.username, event.verb, event.object_id, event.format) == (
        "hr",
        "exported",
        str(world["wave"].pk),
        "sav",
    )
    assert event.unit == world["tree"]["north"] and event.at is not None


def test_audit_refuses_unknown_verbs_and_free_text(world):
    hr = world["people"]["hr"]
    with pytest.raises(ValueError, match="unknown audit verb"):
        log_event(hr, "deleted", organisation=world["org"], object_type="action")
    with pytest.raises(ValueError, match="machine words"):
        log_event(hr, Verb.CHANGED, organisation=world["org"], object_type="action", detail="Kari is on sick leave")
    assert not AuditEvent.objects.exists()


def test_audit_events_outlive_their_user(world):
    hr = world["people"]["hr"]
    log_event(hr, Verb.VIEWED, organisation=world["org"], object_type="action_plan")
    hr.delete()
    event = AuditEvent.objects.get()
    assert event.user is None and event.username == "hr"


# --- admin: memberships and the audit log ----------------------------------------------------------


@pytest.fixture
def admin_client(client, world):
    boss = world["people"]["org_admin"]
    boss.is_staff = True
    boss.save()
    client.force_login(boss)
    return client


def _membership_post(org: Organisation, **fields: object) -> dict:
    data = {
        "username": "new-person",
        "password": "a-long-first-password",
        "organisation": org.pk,
        "role": "hr",
        "units": [],
    }
    data.update(fields)
    return data


def test_an_org_admin_sees_and_manages_only_their_organisation(admin_client, world):
    other_membership = Membership.objects.get(organisation=world["other"])
    listing = admin_client.get(reverse("admin:accounts_membership_changelist"))
    assert listing.status_code == 200
    assert "sales-manager" in listing.content.decode() and "other-hr" not in listing.content.decode()
    assert world["other"].name not in listing.content.decode()  # not even in the filter
    change_other = admin_client.get(reverse("admin:accounts_membership_change", args=[other_membership.pk]))
    assert change_other.status_code == 302  # Django's admin: "does not exist" and back to the index
    # Only the memberships admin and the audit log: no organisations, waves or users.
    assert admin_client.get(reverse("admin:surveys_wave_changelist")).status_code == 403
    assert admin_client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_an_org_admin_adds_a_new_person_who_can_then_log_in(admin_client, world, client):
    response = admin_client.post(
        reverse("admin:accounts_membership_add"),
        _membership_post(world["org"], role="manager", units=[world["tree"]["dev"].pk]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = get_user_model().objects.get(username="new-person")
    assert person.check_password("a-long-first-password") and not person.is_staff
    membership = Membership.objects.get(user=person)
    assert list(membership.units.all()) == [world["tree"]["dev"]]
    assert [u.pk for u in visible_units(person, world["org"])] != []


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"role": "manager"}, "A manager needs at least one unit."),
        ({"role": "hr", "units": ["UNIT"]}, "This role covers the whole organisation; remove the units."),
        ({"password": ""}, "Give a first password for the new user."),
        ({"password": "1234567890"}, "The password is too weak"),
        ({"username": "hr", "role": "hr"}, "The user already has this role here."),
        ({"username": "hr", "role": "researcher"}, "their password is their own"),
        ({"organisation": "OTHER"}, "Select a valid choice"),
        ({"role": "manager", "units": ["OTHER_UNIT"]}, "Select a valid choice"),
    ],
)
def test_the_member_form_refuses_bad_and_forged_data(admin_client, world, fields, error):
    values = {
        "UNIT": world["tree"]["north"].pk,
        "OTHER": world["other"].pk,
        "OTHER_UNIT": Unit.objects.filter(organisation=world["other"]).first().pk,
    }
    fields = {
        k: ([values.get(x, x) for x in v] if isinstance(v, list) else values.get(v, v)) for k, v in fields.items()
    }
    before = Membership.objects.count()
    response = admin_client.post(
        reverse("admin:accounts_membership_add"), _membership_post(world["org"], **fields), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Membership.objects.count() == before


def test_giving_and_removing_the_admin_role_sets_the_staff_flag(admin_client, world):
    admin_client.post(reverse("admin:accounts_membership_add"), _membership_post(world["org"], role="org_admin"))
    person = get_user_model().objects.get(username="new-person")
    assert person.is_staff
    membership = Membership.objects.get(user=person)
    response = admin_client.post(reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_staff


def test_the_audit_log_admin_is_read_only_and_scoped(admin_client, world):
    log_event(world["people"]["hr"], Verb.VIEWED, organisation=world["org"], object_type="action_plan")
    log_event(
        world["people"]["outsider"], Verb.EXPORTED, organisation=world["other"], object_type="wave_export", format="csv"
    )
    listing = admin_client.get(reverse("admin:accounts_auditevent_changelist"))
    page = listing.content.decode()
    assert listing.status_code == 200 and "action_plan" in page and "wave_export" not in page
    event = AuditEvent.objects.get(organisation=world["org"])
    assert admin_client.get(reverse("admin:accounts_auditevent_change", args=[event.pk])).status_code == 200
    assert (
        admin_client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert admin_client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert AuditEvent.objects.count() == 2


def test_people_without_the_admin_role_do_not_reach_the_member_admin(client, world):
    hr = world["people"]["hr"]
    hr.is_staff = True
    hr.save()
    client.force_login(hr)
    assert client.get(reverse("admin:accounts_membership_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 403


# --- demo staff -----------------------------------------------------------------------------------


def test_seed_demo_staff_makes_one_working_login_per_role_and_is_idempotent(client, world):
    out = io.StringIO()
    staff = seed_demo_staff(world["org"], out=out)
    again = seed_demo_staff(world["org"])
    assert staff == again and {s.role for s in staff} == set(Role.values)
    assert Membership.objects.filter(user__username__in=[s.username for s in staff]).count() == len(Role)
    printed = out.getvalue()
    for s in staff:
        assert s.username in printed and s.password in printed
        assert s.password == demo_password(s.role)
        assert client.login(username=s.username, password=s.password)
    manager = next(s for s in staff if s.role == "manager")
    assert manager.units == (str(world["tree"]["dev"]),)  # the first department by name
    assert get_user_model().objects.get(username=f"{world['org'].slug}-org-admin").is_staff


def test_an_org_admin_changes_a_members_role_and_units(admin_client, world):
    membership = Membership.objects.get(user__username="sales-manager")
    url = reverse("admin:accounts_membership_change", args=[membership.pk])
    page = admin_client.get(url).content.decode()
    assert "sales-manager" in page and 'name="password"' not in page
    response = admin_client.post(
        url, {"organisation": world["org"].pk, "role": "safety_rep", "units": [world["tree"]["dev"].pk]}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership.refresh_from_db()
    assert membership.role == "safety_rep" and list(membership.units.all()) == [world["tree"]["dev"]]
    assert membership.user.username == "sales-manager"  # the person cannot be swapped on the change form


def test_a_superuser_sees_every_organisation_on_the_home_page(client, world):
    client.force_login(get_user_model().objects.create_superuser("root", password=PASSWORD))
    page = client.get(reverse("accounts:home") + "?lang=en").content.decode()
    assert world["org"].name in page and world["other"].name in page and "Organisation admin" in page


# --- every text the staff pages use exists in nb and en ---------------------------------------------

WEB = Path(__file__).resolve().parents[2] / "src" / "homeoffice" / "web"


def test_every_text_key_of_the_staff_pages_exists():
    texts = catalogue()
    used: set[str] = set()
    for app in ("accounts", "actions"):
        for path in (WEB / app).rglob("*"):
            if path.suffix == ".html":
                used |= set(re.findall(r"""{% t ["']([a-z0-9_]+)["']""", path.read_text(encoding="utf-8")))
            elif path.suffix == ".py":
                used |= set(re.findall(r"""\b(?:t|lt)\(\s*["']([a-z0-9_]+)["']""", path.read_text(encoding="utf-8")))
    used |= {f"accounts_role_{r}" for r in Role.values} | {f"accounts_perm_{p.value}" for p in Perm}
    used |= {f"accounts_verb_{v}" for v in AuditEvent.Verb.values} | {f"plan_status_{s}" for s in Action.Status.values}
    assert len(used) > 100
    assert sorted(used - set(texts)) == []


def test_every_accounts_admin_page_loads_for_a_superuser(client, world):
    client.force_login(get_user_model().objects.create_superuser("root", password=PASSWORD))
    log_event(world["people"]["hr"], Verb.VIEWED, organisation=world["org"], object_type="action_plan")
    membership = Membership.objects.get(user__username="sales-manager")
    for url in (
        reverse("admin:index"),
        reverse("admin:accounts_membership_changelist"),
        reverse("admin:accounts_membership_add"),
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        reverse("admin:accounts_auditevent_changelist") + "?verb=viewed",
        reverse("admin:accounts_auditevent_change", args=[AuditEvent.objects.get().pk]),
    ):
        assert client.get(url).status_code == 200, url
    listing = client.get(reverse("admin:accounts_membership_changelist") + "?role=manager").content.decode()
    assert "sales-manager" in listing and "dev-manager" in listing and ">hr<" not in listing

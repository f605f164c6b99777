"""Zone filters: the rules the model derives from the matrix, and the vendors' access list lines read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.checks import all_checks
from compliance.kinds import kind_of
from compliance.kinds.network_device.acl import read_rule
from compliance.kinds.network_device.collect import saved_collection
from compliance.kinds.network_device.config import ConfigLine
from compliance.model.host_policy import policy_for_host
from compliance.model.zone_filters import ANY, ZONE_FILTERS, FilterRule, ZoneFilter, policy_permits
from compliance.results.verdicts import Verdict

FIXTURES = Path(__file__).resolve().parents[2] / "compliance" / "kinds" / "network_device" / "fixtures"


def rule(platform: str, text: str) -> FilterRule | None:
    listed = read_rule(platform, ConfigLine(text, 1))
    assert listed is not None, f"{text!r} was not taken for a rule"
    return listed.rule


@pytest.mark.parametrize(
    ("platform", "text", "expected"),
    [
        (
            "huawei_vrp",
            "rule 5 permit tcp source 10.10.20.0 0.0.0.255 destination 10.10.10.0 0.0.0.255 destination-port eq 1521",
            FilterRule("permit", "tcp", "10.10.20.0/24", "10.10.10.0/24", (1521, 1521)),
        ),
        (
            "huawei_vrp",
            "rule 30 permit tcp source 10.10.10.0 0.0.0.255 destination 10.10.20.0 0.0.0.255 tcp-flag established",
            FilterRule("permit", "tcp", "10.10.10.0/24", "10.10.20.0/24", established=True),
        ),
        ("huawei_vrp", "rule 40 deny ip", FilterRule("deny", "ip")),
        ("huawei_vrp", "rule 5 permit source 10.11.6.200 0", FilterRule("permit", "ip", "10.11.6.200/32")),
        (
            "h3c_comware",
            "rule 30 permit tcp established source 10.20.10.0 0.0.0.255 destination 10.10.90.0 0.0.0.255",
            FilterRule("permit", "tcp", "10.20.10.0/24", "10.10.90.0/24", established=True),
        ),
        (
            "h3c_comware",
            "rule 10 permit udp source 10.20.10.0 0.0.0.255 destination-port range 1000 2000",
            FilterRule("permit", "udp", "10.20.10.0/24", ANY, (1000, 2000)),
        ),
        (
            "h3c_comware",
            "rule 0 permit icmp vpn-instance top icmp-type echo",
            FilterRule("permit", "icmp", qualified=True),
        ),
        (
            "cisco_ios",
            "permit udp host 10.10.90.14 eq ntp 10.10.10.0 0.0.0.255",
            FilterRule("permit", "udp", "10.10.90.14/32", "10.10.10.0/24", None, (123, 123)),
        ),
        (
            "cisco_ios",
            "deny   tcp any 207.46.248.0 0.0.0.255 eq www",
            FilterRule("deny", "tcp", ANY, "207.46.248.0/24", (80, 80)),
        ),
        ("cisco_ios", "permit esp any any log", FilterRule("permit", "esp")),
        (
            "cisco_ios",
            "permit tcp any any gt 1023 established",
            FilterRule("permit", "tcp", ports=(1024, 65535), established=True),
        ),
        ("cisco_ios", "access-list 10 permit 10.10.90.0 0.0.0.255", FilterRule("permit", "ip", "10.10.90.0/24")),
        ("cisco_ios", "10 deny ip any any", FilterRule("deny", "ip")),
        ("huawei_vrp", "rule 5 permit 6 destination-port eq 22", FilterRule("permit", "tcp", ports=(22, 22))),
    ],
)
def test_a_vendor_rule_reads_as_the_packets_it_matches(platform, text, expected):
    assert rule(platform, text) == expected


@pytest.mark.parametrize(
    ("platform", "text"),
    [
        ("cisco_ios", "permit esp host any any"),
        ("cisco_ios", "permit tcp object-group CLIENTS any eq 443"),
        ("huawei_vrp", "rule 5 permit tcp destination-port eq no-such-port"),
    ],
)
def test_a_rule_that_cannot_be_read_says_so_instead_of_guessing(platform, text):
    listed = read_rule(platform, ConfigLine(text, 7))
    assert listed is not None and listed.rule is None and listed.problem


@pytest.mark.parametrize(
    ("platform", "text"),
    [
        ("cisco_ios", "remark dengbao-from-dmz"),
        ("huawei_vrp", "description dengbao-from-app"),
        ("h3c_comware", "step 5"),
    ],
)
def test_comments_are_not_rules(platform, text):
    assert read_rule(platform, ConfigLine(text, 1)) is None


def filters(repo, device: str) -> dict[str, ZoneFilter]:
    settings = policy_for_host(repo, device).settings
    return {f["zone"]: ZoneFilter.from_dict(f) for f in settings[ZONE_FILTERS]}


def test_every_filter_is_minimal_and_ends_in_a_deny_of_everything(repo):
    for device in ("core-sw-01", "acc-sw-office-01", "wan-rt-01"):
        for zone_filter in filters(repo, device).values():
            rules = zone_filter.rules
            assert rules[-1].action == "deny" and rules[-1].matches_everything
            for index, later in enumerate(rules):
                assert not any(earlier.covers(later) for earlier in rules[:index]), (
                    f"{device} {zone_filter.zone}: {later}"
                )


def test_a_zone_the_policy_keeps_off_the_internet_gets_no_rule_towards_it(repo):
    for zone, zone_filter in filters(repo, "core-sw-01").items():
        towards_anywhere = [r for r in zone_filter.rules if r.action == "permit" and r.destination == ANY]
        assert not towards_anywhere, f"{zone} may reach {towards_anywhere}"


def test_the_office_reaches_the_web_only_after_the_hospital_is_denied(repo):
    office = filters(repo, "acc-sw-office-01")["office"].rules
    web = next(
        i for i, r in enumerate(office) if r.action == "permit" and r.destination == ANY and r.ports == (443, 443)
    )
    denied = {r.destination for r in office[:web] if r.action == "deny"}
    assert {"10.10.10.0/24", "10.10.20.0/24", "10.10.90.0/24"} <= denied


def test_the_internet_side_refuses_the_hospitals_own_addresses_first(repo):
    internet = filters(repo, "wan-rt-01")["internet"].rules
    assert internet[0] == FilterRule("deny", "ip", "10.10.10.0/24", ANY, purpose=internet[0].purpose)
    assert FilterRule("permit", "tcp", ANY, "172.16.10.0/24", (443, 443)).covers(
        next(r for r in internet if r.action == "permit" and r.ports == (443, 443))
    )


def test_the_policy_judges_a_running_permit_by_what_it_lets_through(repo):
    intended = filters(repo, "acc-sw-office-01")["office"].rules
    web = FilterRule("permit", "tcp", "10.20.10.0/24", ANY, (443, 443))
    everything = FilterRule("permit", "ip")
    inward_web = FilterRule("permit", "tcp", "10.20.10.0/24", "10.10.10.0/24", (443, 443))
    denies_first = [r for r in intended if r.action == "deny" and not r.matches_everything]
    # After the running list's own deny of the hospital, web access to anywhere is what the policy allows.
    assert policy_permits(intended, [*denies_first, web], len(denies_first))
    # Without that deny, the same rule would open the hospital's zones too.
    assert not policy_permits(intended, [web], 0)
    assert not policy_permits(intended, [everything], 0)
    assert not policy_permits(intended, [inward_web], 0)
    ntp = FilterRule("permit", "udp", "10.20.10.0/25", "10.10.90.14/32", (123, 123))
    assert policy_permits(intended, [ntp], 0), "a narrower rule than the policy's is within it"


def judged_on(repo, device: str, fixture: str, interfaces: dict[str, str], check: str = "zone_filtering"):
    """A real configuration of the fixtures judged as `device`, its zones entering on that configuration's own
    interfaces (`interfaces`: zone → interface)."""
    platform, _, _ = fixture.partition("/")
    settings = policy_for_host(repo, device).settings
    moved = [
        dict(f, interface=interfaces[f["zone"]], address="") for f in settings[ZONE_FILTERS] if f["zone"] in interfaces
    ]
    facts = kind_of("network_device").facts(saved_collection(platform, (FIXTURES / f"{fixture}.cfg").read_text()))
    return all_checks()[f"network_device.{check}"].function(facts, {**settings, ZONE_FILTERS: moved})


def test_a_real_uplink_filter_that_opens_ports_to_anyone_fails_naming_its_lines(repo):
    # cisco-02 filters its Internet side (Dialer1, `ip access-group EXT_IN in`) but lets anyone reach 1415/1416.
    outcome = judged_on(repo, "wan-rt-01", "cisco_ios/cisco-02", {"internet": "Dialer1"})
    assert outcome.verdict is Verdict.FAIL
    assert "permit tcp any any eq 1415" in outcome.reason_en and "EXT_IN" in outcome.reason_en
    assert "does not end in a deny" not in outcome.reason_en, "IOS denies what no rule matches"


def test_a_real_comware_filter_with_a_default_deny_is_judged_on_its_rules(repo):
    # h3c-04 applies 3100 inbound with `packet-filter default deny`, and permits ICMP from anywhere.
    outcome = judged_on(repo, "acc-sw-office-01", "h3c_comware/h3c-04", {"office": "Dialer1"})
    assert outcome.verdict is Verdict.FAIL
    assert "permit icmp" in outcome.reason_en
    assert "does not end in a deny" not in outcome.reason_en, "packet-filter default deny drops the rest"


def test_a_real_interface_on_addresses_outside_the_zone_fails_naming_them(repo):
    outcome = judged_on(
        repo, "acc-sw-office-01", "cisco_ios/cisco-02", {"office": "FastEthernet1/0"}, "zone_addressing"
    )
    assert outcome.verdict is Verdict.FAIL and "172.16.4.1/24" in outcome.reason_en, outcome.reason_en
    bare = judged_on(repo, "acc-sw-office-01", "cisco_ios/cisco-02", {"office": "Virtual-Template1"}, "zone_addressing")
    assert bare.verdict is Verdict.FAIL and "has no address" in bare.reason_en

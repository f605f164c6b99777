"""Verify the package_index role: an index emptied a moment ago was refreshed, so packages install."""

testinfra_hosts = ["ansible://all"]


def test_the_index_holds_package_lists(host):
    lists = host.check_output("find /var/lib/apt/lists -maxdepth 1 -type f -name '*_Packages*'").split()
    assert any("_main_" in name for name in lists), lists


def test_a_package_the_image_lacks_has_an_install_candidate(host):
    # rsyslog is not in the golden image; before the fix its candidate was "(none)".
    assert not host.package("rsyslog").is_installed
    policy = host.check_output("apt-cache policy rsyslog")
    assert "Candidate:" in policy and "Candidate: (none)" not in policy, policy

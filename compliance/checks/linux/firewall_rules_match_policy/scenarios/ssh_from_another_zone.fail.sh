# SSH opened to a hospital subnet outside the management zone (the last of the hospital's subnets,
# the clinical workstations' in the lab): a management port beyond the matrix.
nft insert rule inet dengbao input ip saddr {{ policy.host_firewall.internal | last }} tcp dport 22 accept comment '"clinical → mgmt"'

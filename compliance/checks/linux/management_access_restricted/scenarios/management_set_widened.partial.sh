# A hospital subnet outside the management zone (the last of the hospital's subnets, the clinical
# workstations' in the lab) added to the management zone's address set: SSH still limited by source,
# but beyond the management zone. Login groups stay restricted.
nft add element inet dengbao zone_mgmt '{ {{ policy.host_firewall.internal | last }} }'

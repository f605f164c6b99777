# A default route through the zone's router (the gateway of its routes to the other zones): the
# firewall still refuses, but one of the two locks is gone.
ip route add default via "$(ip -4 route show | awk '/ via / {print $3; exit}')"

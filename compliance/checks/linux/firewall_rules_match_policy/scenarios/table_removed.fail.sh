# The table flushed away (as `systemctl stop nftables` does with Debian's stock unit).
nft delete table inet dengbao

# The output chain removed: nothing but the missing route keeps the host in. (Gone already where
# another check's scenario flushed the whole rule set on the same host.)
nft delete chain inet dengbao output 2>/dev/null || ! nft list chain inet dengbao output >/dev/null 2>&1

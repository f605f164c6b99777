# A database port opened to every address by hand, outside the matrix.
nft add rule inet dengbao input tcp dport 3306 accept

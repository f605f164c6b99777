useradd -D -f -1

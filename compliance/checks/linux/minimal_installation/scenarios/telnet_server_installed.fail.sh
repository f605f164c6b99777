DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends inetutils-telnetd >/dev/null
